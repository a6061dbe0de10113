/// The short verification guide a bundle carries (`data/README.en.md`, `data/README.es.md`): how to check it
/// with standard tools alone. Docs/guides/auditor.md explains each step.
enum BundleReadme {
    static func english(vaultID: String) -> String {
        """
        # Evidence bundle (CaseVault, vault \(vaultID))

        This folder is a BagIt 1.0 bag. Nothing here needs CaseVault to be checked.

        1. Integrity of every file: in the bag's folder run `sha256sum -c manifest-sha256.txt` and
           `sha512sum -c manifest-sha512.txt` (or `bagit.py --validate .`). Every line must say OK.
        2. Each item is in `data/items/ITEM/`: `ITEM.age` is the exported copy (open it with
           `age -d -i KEY ITEM.age`), or `ITEM.bin` the plaintext. Its SHA-256 as received is in `custody.json`
           (`sha256`); after decrypting, `sha256sum FILE` (Windows: `certutil -hashfile FILE SHA256`,
           PowerShell: `Get-FileHash FILE`) must print it. The hash proves integrity since intake, not
           authenticity before it.
        3. `events/N.entry` are the item's custody events, each signed by the member who acted (Ed25519, a
           C2SP signed note); each names the previous event (`prev-event`). `proofs/N.proof` proves entry N is
           in the signed log whose checkpoint is `data/checkpoint.txt`.
        4. `keys/` holds every member's verification key (`members.txt`), auditors' cosignature keys, each
           signer's key as DER (`NAME.der`, for `openssl pkeyutl -verify`) and the signed entries that bound each
           key to its person (`bindings/`). Compare the fingerprints with the vault's own records.
        5. These are electronic signatures (firma electrónica), not a certified digital signature under Ley 164.
           Times are each signer's computer clock, in UTC.

        `casevault verify-bundle DIR` runs every check above at once.

        """
    }

    static func spanish(vaultID: String) -> String {
        """
        # Paquete de evidencia (CaseVault, bóveda \(vaultID))

        Esta carpeta es un paquete BagIt 1.0. Se verifica sin CaseVault.

        1. Integridad de cada archivo: en la carpeta del paquete ejecute `sha256sum -c manifest-sha256.txt` y
           `sha512sum -c manifest-sha512.txt` (o `bagit.py --validate .`). Cada línea debe decir OK.
        2. Cada elemento está en `data/items/ELEMENTO/`: `ELEMENTO.age` es la copia exportada (se abre con
           `age -d -i CLAVE ELEMENTO.age`) o `ELEMENTO.bin` el contenido. Su SHA-256 al recibirse está en
           `custody.json` (`sha256`); tras descifrar, `sha256sum ARCHIVO` (Windows:
           `certutil -hashfile ARCHIVO SHA256`, PowerShell: `Get-FileHash ARCHIVO`) debe mostrarlo. El hash
           prueba la integridad desde la recepción, no la autenticidad anterior.
        3. `events/N.entry` son los eventos de custodia del elemento, cada uno firmado por quien actuó (Ed25519,
           nota firmada C2SP); cada uno nombra el evento anterior (`prev-event`). `proofs/N.proof` prueba que la
           entrada N está en el registro firmado cuyo punto de control es `data/checkpoint.txt`.
        4. `keys/` contiene la clave de verificación de cada miembro (`members.txt`), las de cofirma de los
           auditores, la clave de cada firmante en DER (`NOMBRE.der`, para `openssl pkeyutl -verify`) y las
           entradas firmadas que vincularon cada clave a su persona (`bindings/`). Compare las huellas con los
           registros de la bóveda.
        5. Son firmas electrónicas, no una firma digital certificada según la Ley 164. Las horas son las del
           reloj del equipo de cada firmante, en UTC.

        `casevault verify-bundle CARPETA` ejecuta todas estas verificaciones a la vez.

        """
    }
}
