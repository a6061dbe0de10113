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
           `age -d -i KEY ITEM.age`), or `ITEM.bin` the plaintext. Its SHA-256 as received is the `sha256` line
           of its intake, the signed entry `events/N.entry` (lowest N) of type `item.add`; after decrypting,
           `sha256sum FILE` (Windows: `certutil -hashfile FILE SHA256`, PowerShell: `Get-FileHash FILE`) must
           print it. The hash proves integrity since intake, not authenticity before it. `custody.json` restates
           the signed entries for convenience; rely on the entries (`verify-bundle` checks that every field of
           it is what they state).
        3. `events/N.entry` are the item's custody events, each signed by the member who acted (Ed25519, a
           C2SP signed note); each names the previous event (`prev-event`). `proofs/N.proof` proves entry N is
           in the signed log whose checkpoint is `data/checkpoint.txt`. An intake added in a batch carries no
           signature of its own: `seals/S.entry`, signed by the same member, signs the tree of every entry
           before it, the intake included (`covers C`: the C entries before S).
        4. `keys/` holds every member's verification key (`members.txt`), auditors' cosignature keys, each
           signer's key as DER (`NAME.der`, for `openssl pkeyutl -verify`) and the signed entries that bound each
           key to its person (`bindings/`). Compare the fingerprints with the vault's own records.
        5. What this proves: who signed each event, with the key bound to them then, and that each event is in
           the log `data/checkpoint.txt` names. It does not prove that they were entitled to act (held the
           role, were still members), nor that nothing was recorded after. That needs the whole log
           (`casevault audit verify`), or an auditor's cosignature over a tree that contains the events:
           `data/cosigned/checkpoint.txt`, when present, is the newest checkpoint auditors cosigned (after
           verifying the whole log) and `data/cosigned/consistency.txt` proves `data/checkpoint.txt` extends
           it, so the events before its size are witnessed; later ones, such as this export, are not. Without a
           cosignature the checkpoint is only as trustworthy as the key of the member who signed it.
        6. These are electronic signatures (firma electrónica), not a certified digital signature under Ley 164.
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
           `age -d -i CLAVE ELEMENTO.age`) o `ELEMENTO.bin` el contenido. Su SHA-256 al recibirse es la línea
           `sha256` de su recepción, la entrada firmada `events/N.entry` (la de menor N) de tipo `item.add`; tras
           descifrar, `sha256sum ARCHIVO` (Windows: `certutil -hashfile ARCHIVO SHA256`, PowerShell:
           `Get-FileHash ARCHIVO`) debe mostrarlo. El hash prueba la integridad desde la recepción, no la
           autenticidad anterior. `custody.json` repite las entradas firmadas por comodidad; confíe en las
           entradas (`verify-bundle` comprueba que cada campo dice lo mismo que ellas).
        3. `events/N.entry` son los eventos de custodia del elemento, cada uno firmado por quien actuó (Ed25519,
           nota firmada C2SP); cada uno nombra el evento anterior (`prev-event`). `proofs/N.proof` prueba que la
           entrada N está en el registro firmado cuyo punto de control es `data/checkpoint.txt`. Una recepción
           agregada en lote no lleva firma propia: `seals/S.entry`, firmada por el mismo miembro, firma el árbol
           de todas las entradas anteriores, la recepción incluida (`covers C`: las C entradas antes de S).
        4. `keys/` contiene la clave de verificación de cada miembro (`members.txt`), las de cofirma de los
           auditores, la clave de cada firmante en DER (`NOMBRE.der`, para `openssl pkeyutl -verify`) y las
           entradas firmadas que vincularon cada clave a su persona (`bindings/`). Compare las huellas con los
           registros de la bóveda.
        5. Qué prueba: quién firmó cada evento, con la clave vinculada a esa persona en ese momento, y que cada
           evento está en el registro que nombra `data/checkpoint.txt`. No prueba que tuviera derecho a actuar
           (el rol, seguir siendo miembro), ni que no se registrara nada después. Eso requiere el registro
           completo (`casevault audit verify`) o la cofirma de un auditor sobre un árbol que contenga los
           eventos: `data/cosigned/checkpoint.txt`, si existe, es el último punto de control cofirmado por
           auditores (tras verificar todo el registro) y `data/cosigned/consistency.txt` prueba que
           `data/checkpoint.txt` lo extiende; los eventos anteriores a su tamaño quedan atestiguados, los
           posteriores (como esta exportación) no. Sin cofirma, el punto de control vale lo que la clave del
           miembro que lo firmó.
        6. Son firmas electrónicas, no una firma digital certificada según la Ley 164. Las horas son las del
           reloj del equipo de cada firmante, en UTC.

        `casevault verify-bundle CARPETA` ejecuta todas estas verificaciones a la vez.

        """
    }
}
