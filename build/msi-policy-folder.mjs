/**
 * electron-builder `msiProjectCreated` hook (electron-builder.yml): adds to Ostal's MSI the IT policy folder
 * %ProgramData%\Ostal, created by the installer (running as SYSTEM, per machine) with an administrators-only ACL, so
 * that no agent can create it first and plant a policy presetting the organisation's servers to theirs.
 *
 * The ACL is given as SDDL through Windows Installer 5's MsiLockPermissionsEx table (WiX <PermissionEx Sddl>), which
 * names accounts by SID and therefore works on French Windows (« Administrateurs ») as well:
 *   O:BA      owner: Administrators
 *   D:PAI     protected DACL (nothing inherited from %ProgramData%, where « Users » may create files)
 *   (A;OICI;FA;;;SY)        SYSTEM: full control, for the folder, its sub-folders and files
 *   (A;OICI;FA;;;BA)        Administrators: full control
 *   (A;OICI;0x1200a9;;;BU)  Users: read and execute only
 * On an existing folder (created earlier by an agent) Windows Installer applies the same descriptor, owner included;
 * a file such an agent left inside keeps its own owner and is refused by the app (src/policy/trust.ts checks the file
 * and its folder at every start). The folder is permanent: uninstalling Ostal keeps IT's policy.
 *
 * It cannot run here (no Windows, no WiX): tests/unit/electron-builder.test.ts checks the fragment this hook inserts
 * into electron-builder's own MSI template.
 */
import fs from 'node:fs';
import { addMailClient } from './msi-mail-client.mjs';

export const POLICY_FOLDER_SDDL = 'O:BAG:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)';
// Never change: Windows Installer tracks the component by this GUID.
const COMPONENT_GUID = '6F1B8C2E-3D4A-4E5B-9C7D-2A1E0F3B4C5D';

const DIRECTORY = `
      <!-- IT policy folder %ProgramData%\\Ostal (build/msi-policy-folder.mjs) -->
      <Directory Id="CommonAppDataFolder">
        <Directory Id="OSTALPOLICYFOLDER" Name="Ostal"/>
      </Directory>`;

const COMPONENT = `
    <!-- %ProgramData%\\Ostal: administrators only (build/msi-policy-folder.mjs) -->
    <DirectoryRef Id="OSTALPOLICYFOLDER">
      <Component Id="OstalPolicyFolder" Guid="${COMPONENT_GUID}" Permanent="yes">
        <CreateFolder>
          <PermissionEx Sddl="${POLICY_FOLDER_SDDL}"/>
        </CreateFolder>
      </Component>
    </DirectoryRef>
    <Feature Id="OstalPolicyFeature" Level="1" Absent="disallow">
      <ComponentRef Id="OstalPolicyFolder"/>
    </Feature>
`;

/** The .wxs text with the policy folder added (idempotent). */
export function addPolicyFolder(wxs) {
  if (wxs.includes('Id="OSTALPOLICYFOLDER"')) return wxs;
  const target = /<Directory Id="TARGETDIR" Name="SourceDir">/;
  if (!target.test(wxs) || !wxs.includes('</Product>')) throw new Error('msi-policy-folder: unexpected MSI template');
  return wxs.replace(target, (m) => m + DIRECTORY).replace('</Product>', `${COMPONENT}  </Product>`);
}

/** electron-builder calls this with the path of the generated .wxs file, before WiX compiles it. */
export async function msiProjectCreated(wxsPath) {
  const text = await fs.promises.readFile(wxsPath, 'utf8');
  await fs.promises.writeFile(wxsPath, addMailClient(addPolicyFolder(text)), 'utf8');
}

export default msiProjectCreated;
