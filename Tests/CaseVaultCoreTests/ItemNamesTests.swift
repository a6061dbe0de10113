import Foundation
import Testing

@testable import CaseVaultCore

@Suite("File names of a listing")
struct ItemNamesTests {
    @Test("each member gets exactly the names their roles can read, as `show` gives them")
    func namesFollowRoles() throws {
        let team = try Team()
        let legal = try team.addItem(Array("a".utf8), itemClass: .legal, name: "denuncia.pdf")
        let clinical = try team.addItem(Array("b".utf8), itemClass: .clinical, name: "sesión-1.txt")
        let social = try team.addItem(Array("c".utf8), itemClass: .social, name: "informe social.odt")
        let items = try team.vault.items(inCase: "C-1")
        #expect(items.count == 3)

        let expected: [(MemberSession, [String: String?])] = [
            (team.lawyer, [legal.id: "denuncia.pdf", clinical.id: nil, social.id: nil]),
            (team.psychologist, [legal.id: nil, clinical.id: "sesión-1.txt", social.id: "informe social.odt"]),
            (team.socialWorker, [legal.id: nil, clinical.id: nil, social.id: "informe social.odt"]),
            (team.admin, [legal.id: nil, clinical.id: nil, social.id: nil]),
        ]
        for (session, names) in expected {
            let got = try team.vault.fileNames(of: items, as: session)
            #expect(got == names, "names for \(session.member)")
            for item in items {
                #expect(got[item.id] == .some(try team.vault.showItem(item.id, as: session).metadata?.filename))
            }
        }
    }
}
