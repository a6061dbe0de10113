import CaseVaultAge
import Foundation
import Testing

@Suite("casevault unlock and lock")
struct AgentCLITests {
    /// The acting member with no passphrase anywhere: only an agent can unlock them.
    static func withoutPassphrase(_ name: String) -> [String: String] { ["CASEVAULT_AS": name] }

    /// The process id of the agent serving from `folder`'s agent folder, found through /proc.
    static func agentProcess(_ team: TeamVault) -> Int32? {
        let marker = team.folder.file("agent")
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                String(decoding: cmdline, as: UTF8.self).contains("serve-agent"),
                String(decoding: cmdline, as: UTF8.self).contains(marker),
                !(processState(pid) ?? "Z").hasPrefix("Z")
            else { continue }
            return pid
        }
        return nil
    }

    static func processState(_ pid: Int32) -> String? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("State:") }.map {
            $0.dropFirst(6).trimmingCharacters(in: .whitespaces)
        }
    }

    static func sockets(_ team: TeamVault) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: team.folder.file("agent"))) ?? []).filter {
            $0.hasSuffix(".sock")
        }
    }

    /// Waits up to five seconds for the agent process to go.
    static func waitForExit(_ team: TeamVault) -> Bool {
        for _ in 0..<50 {
            if agentProcess(team) == nil { return true }
            usleep(100_000)
        }
        return false
    }

    @Test("unlock once, then commands ask no passphrase; lock makes them ask again")
    func unlockThenLock() throws {
        let team = try TeamVault()
        let unlock = try team.cli.run(["unlock", "--for", "5m"], env: team.acting("lucia"))
        try expectSuccess(unlock)
        #expect(unlock.stdout.contains("Unlocked lucia until"))
        let again = try team.cli.run(["unlock"], env: Self.withoutPassphrase("lucia"))
        try expectSuccess(again)
        #expect(again.stdout.contains("already unlocked"))

        let source = try team.folder.write("acta.txt", "acta de denuncia")
        let added = try team.cli.run(["add", TeamVault.caseID, source, "--json"], env: Self.withoutPassphrase("lucia"))
        try expectSuccess(added)
        let id = try #require(try decodeJSON([ItemJSON].self, added.stdout).first).id
        try expectSuccess(
            team.cli.run(["get", id, "-o", team.folder.file("out.txt")], env: Self.withoutPassphrase("lucia")))
        #expect(try String(contentsOfFile: team.folder.file("out.txt"), encoding: .utf8) == "acta de denuncia")
        // --no-agent goes back to the passphrase, which this environment does not give.
        let refused = try team.cli.run(
            ["get", id, "-o", team.folder.file("out2.txt"), "--no-agent"], env: Self.withoutPassphrase("lucia"))
        #expect(refused.code == Code.usage)
        // The agent serves lucia only.
        #expect(
            try team.cli.run(["get", id, "-o", team.folder.file("m.txt")], env: Self.withoutPassphrase("mateo")).code
                == Code.usage)

        let pid = try #require(Self.agentProcess(team))
        let cmdline = try #require(FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"))
        #expect(!String(decoding: cmdline, as: UTF8.self).contains("passphrase"))
        let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
        let coreLine = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") })
        #expect(coreLine.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).first == "0")

        let lock = try team.cli.run(["lock"], env: Self.withoutPassphrase("lucia"))
        try expectSuccess(lock)
        #expect(lock.stdout.contains("Locked lucia"))
        #expect(Self.waitForExit(team))
        #expect(Self.sockets(team).isEmpty)
        let afterLock = try team.cli.run(
            ["get", id, "-o", team.folder.file("out3.txt")], env: Self.withoutPassphrase("lucia"))
        #expect(afterLock.code == Code.usage)
        #expect(afterLock.stderr.contains("passphrase"))
        let lockAgain = try team.cli.run(["lock"], env: Self.withoutPassphrase("lucia"))
        try expectSuccess(lockAgain)
        #expect(lockAgain.stdout.contains("No unlock agent was running"))
    }

    @Test(
        "the agent's copies of the private keys are only in locked memory",
        .enabled(if: getuid() == 0, "reading another process's memory (/proc/PID/mem) needs root; CI runs as root"))
    func keysOnlyInLockedMemory() throws {
        let team = try TeamVault()
        // lucia's raw keys, from her key file, to look for.
        let opened = try team.cli.run([
            "age", "decrypt", "--passphrase-file", team.folder.file("lucia.pass"),
            team.folder.file("vault/keys/lucia.age"),
        ])
        try expectSuccess(opened)
        let lines = opened.stdout.split(separator: "\n").map(String.init)
        let x25519 = try #require(lines.first { $0.hasPrefix("AGE-SECRET-KEY-1") })
        let signing = try #require(lines.first { $0.hasPrefix("# CASEVAULT-SIGNING-KEY-1") }).dropFirst(2)
        let secrets = [try Bech32.decode(x25519).data, try Bech32.decode(String(signing)).data]
        #expect(secrets.allSatisfy { $0.count == 32 })

        let unlock = try team.cli.run(["unlock", "--for", "5m", "--verbose"], env: team.acting("lucia"))
        try expectSuccess(unlock)
        #expect(unlock.stderr.contains("memory is locked"))
        defer { _ = try? team.cli.run(["lock"], env: Self.withoutPassphrase("lucia")) }
        // Use it once, so that envelope opening has run too.
        try expectSuccess(team.cli.run(["case", "list"], env: Self.withoutPassphrase("lucia")))
        let pid = try #require(Self.agentProcess(team))

        var found = 0
        for region in try MemoryRegions(pid: pid).readable {
            for secret in secrets where region.contains(secret) {
                found += 1
                #expect(region.lockedKB >= region.rssKB, "a key in \(region.range), not wholly locked")
            }
        }
        #expect(found >= 2, "the keys should be found at least once each")
    }

    @Test("a wrong passphrase starts no agent")
    func wrongPassphrase() throws {
        let team = try TeamVault()
        let wrong = try team.folder.write("wrong.pass", "not lucia's\n")
        let result = try team.cli.run(
            ["unlock"], env: ["CASEVAULT_AS": "lucia", "CASEVAULT_PASSPHRASE_FILE": wrong])
        #expect(result.code == Code.notEntitled)
        #expect(Self.sockets(team).isEmpty)
        #expect(Self.agentProcess(team) == nil)
    }

    @Test("the agent forgets the key when its time is up")
    func expiry() throws {
        let team = try TeamVault()
        try expectSuccess(team.cli.run(["unlock", "--for", "1s"], env: team.acting("lucia")))
        #expect(Self.waitForExit(team))
        #expect(Self.sockets(team).isEmpty)
        let result = try team.cli.run(["case", "create", "LPZ-2026-099"], env: Self.withoutPassphrase("lucia"))
        #expect(result.code == Code.usage)
    }

    @Test("an agent left unused for its idle time forgets the key")
    func idle() throws {
        let team = try TeamVault()
        let unlock = try team.cli.run(["unlock", "--for", "5m", "--idle", "1s"], env: team.acting("lucia"))
        try expectSuccess(unlock)
        #expect(unlock.stdout.contains("unused for 1s"))
        #expect(Self.waitForExit(team))
        #expect(Self.sockets(team).isEmpty)
    }

    @Test("SIGTERM stops the agent and removes its socket")
    func terminated() throws {
        let team = try TeamVault()
        try expectSuccess(team.cli.run(["unlock", "--for", "5m"], env: team.acting("lucia")))
        #expect(Self.sockets(team).count == 1)
        let pid = try #require(Self.agentProcess(team))
        #expect(kill(pid, SIGTERM) == 0)
        #expect(Self.waitForExit(team))
        #expect(Self.sockets(team).isEmpty)
    }

    @Test("a stopped agent neither blocks commands nor survives lock")
    func stoppedAgent() throws {
        let team = try TeamVault()
        try expectSuccess(team.cli.run(["unlock", "--for", "5m"], env: team.acting("lucia")))
        let pid = try #require(Self.agentProcess(team))
        #expect(kill(pid, SIGSTOP) == 0)
        // The command gives up on the agent after its timeout and asks for the passphrase (given by file).
        let created = try team.cli.run(["case", "create", "LPZ-2026-097"], env: team.acting("lucia"))
        try expectSuccess(created)
        #expect(created.stderr.contains("Asking for the passphrase instead"))
        // lock cannot get an answer, so it ends the agent with SIGTERM (and SIGCONT).
        let lock = try team.cli.run(["lock"], env: Self.withoutPassphrase("lucia"))
        try expectSuccess(lock)
        #expect(Self.waitForExit(team))
        #expect(Self.sockets(team).isEmpty)
    }

    @Test("lock --all stops every agent of the user")
    func lockAll() throws {
        let team = try TeamVault()
        try expectSuccess(team.cli.run(["unlock", "--for", "5m"], env: team.acting("lucia")))
        try expectSuccess(team.cli.run(["unlock", "--for", "5m"], env: team.acting("mateo")))
        #expect(Self.sockets(team).count == 2)
        let result = try team.cli.run(["lock", "--all", "--json"])
        try expectSuccess(result)
        #expect(result.stdout.contains("\"locked\" : 2"))
        #expect(Self.waitForExit(team))
        #expect(Self.sockets(team).isEmpty)
    }

    @Test("unlock times outside 1s to 1d are refused", arguments: ["0m", "forever", "2w", "25h", "-1h", "", "h"])
    func badDuration(_ value: String) throws {
        let team = try TeamVault()
        for option in ["--for", "--idle"] {
            let result = try team.cli.run(["unlock", option, value], env: team.acting("lucia"))
            #expect(result.code == Code.usage)
            #expect(result.stderr.contains(option))
        }
        #expect(Self.sockets(team).isEmpty)
    }

    @Test("an agent folder other users can open is refused, and the passphrase still works")
    func unsafeFolder() throws {
        let team = try TeamVault()
        let folder = team.folder.file("agent")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        chmod(folder, 0o755)
        let unlock = try team.cli.run(["unlock"], env: team.acting("lucia"))
        #expect(unlock.code == Code.cannotCreate)
        #expect(unlock.stderr.contains("not safe"))
        let created = try team.cli.run(["case", "create", "LPZ-2026-098"], env: team.acting("lucia"))
        try expectSuccess(created)
        #expect(created.stderr.contains("warning: not using unlock agents"))
    }
}

/// The memory regions of a process, from /proc/PID/smaps and /proc/PID/mem (root only).
struct MemoryRegions {
    struct Region {
        let range: String
        let bytes: [UInt8]
        let rssKB: Int
        let lockedKB: Int

        func contains(_ needle: [UInt8]) -> Bool {
            guard bytes.count >= needle.count, let first = needle.first else { return false }
            var i = 0
            while i <= bytes.count - needle.count {
                if bytes[i] == first && bytes[i..<i + needle.count].elementsEqual(needle) { return true }
                i += 1
            }
            return false
        }
    }

    let readable: [Region]

    init(pid: Int32) throws {
        // Read to the end by hand: /proc files report a size of 0, and size-based readers stop early.
        let smaps = try Tool.run("cat", ["/proc/\(pid)/smaps"])
        let memory = open("/proc/\(pid)/mem", O_RDONLY)
        try #require(memory >= 0, "cannot open /proc/\(pid)/mem")
        defer { close(memory) }
        var regions: [Region] = []
        var current: (range: String, readable: Bool, rss: Int, locked: Int)?
        func finish() {
            guard let c = current, c.readable else { return }
            let bounds = c.range.split(separator: "-").compactMap { UInt64($0, radix: 16) }
            guard bounds.count == 2 else { return }
            var bytes = [UInt8](repeating: 0, count: Int(bounds[1] - bounds[0]))
            let n = bytes.withUnsafeMutableBytes { pread(memory, $0.baseAddress, $0.count, off_t(bounds[0])) }
            // Some mappings ([vvar], guard pages) cannot be read; they hold no heap data.
            guard n > 0 else { return }
            bytes.removeSubrange(n...)
            regions.append(Region(range: c.range, bytes: bytes, rssKB: c.rss, lockedKB: c.locked))
        }
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), fields.count >= 2, first.first?.isHexDigit == true {
                finish()
                current = (String(first), fields[1].hasPrefix("r"), 0, 0)
            } else if fields.first == "Rss:", fields.count >= 2 {
                current?.rss = Int(fields[1]) ?? 0
            } else if fields.first == "Locked:", fields.count >= 2 {
                current?.locked = Int(fields[1]) ?? 0
            }
        }
        finish()
        readable = regions
    }
}
