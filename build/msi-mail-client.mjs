/**
 * Part of electron-builder's `msiProjectCreated` hook (build/msi-policy-folder.mjs calls it): declares Ostal to
 * Windows as a mail program (issue 18), per machine, so that it appears in « Applications par défaut › Courrier » and
 * mailto links from any program start it:
 *   HKLM\Software\Clients\Mail\Ostal                    the mail client, with its Capabilities
 *   HKLM\Software\RegisteredApplications  Ostal          → Software\Clients\Mail\Ostal\Capabilities
 *   HKLM\Software\Classes\Ostal.Url.mailto              the ProgID: "Ostal.exe" "%1" (main/ hands the URL to
 *                                                        src/host/launch-request.ts, a second launch to the running one)
 * Windows never lets an installer make itself the default (the user or IT's « default associations » GPO chooses).
 * « Envoyer vers › Ostal (courriel) » is a per-user shortcut: Ostal writes it itself at start (src/host/desktop-
 * integration.ts), since a per-machine MSI run by SYSTEM has no user's SendTo folder.
 *
 * It cannot run here (no Windows, no WiX): tests/unit/electron-builder.test.ts checks the fragment on the real template.
 */

// Never change: Windows Installer tracks the component by this GUID.
const COMPONENT_GUID = '0B6C2F4E-8A1D-4C3B-9E57-7D2F1A6C3E90';

const COMPONENT = `
    <!-- Ostal as a mail program: default programs and mailto (build/msi-mail-client.mjs) -->
    <DirectoryRef Id="APPLICATIONFOLDER">
      <Component Id="OstalMailClient" Guid="${COMPONENT_GUID}">
        <RegistryKey Root="HKLM" Key="Software\\Clients\\Mail\\Ostal">
          <RegistryValue Type="string" Value="Ostal" KeyPath="yes"/>
          <RegistryKey Key="Capabilities">
            <RegistryValue Name="ApplicationName" Type="string" Value="Ostal"/>
            <RegistryValue Name="ApplicationDescription" Type="string" Value="Courrier, agenda, contacts, fichiers et visio"/>
            <RegistryKey Key="URLAssociations">
              <RegistryValue Name="mailto" Type="string" Value="Ostal.Url.mailto"/>
            </RegistryKey>
          </RegistryKey>
          <RegistryKey Key="shell\\open\\command">
            <RegistryValue Type="string" Value="&quot;[APPLICATIONFOLDER]Ostal.exe&quot;"/>
          </RegistryKey>
        </RegistryKey>
        <RegistryValue Root="HKLM" Key="Software\\RegisteredApplications" Name="Ostal" Type="string" Value="Software\\Clients\\Mail\\Ostal\\Capabilities"/>
        <RegistryKey Root="HKLM" Key="Software\\Classes\\Ostal.Url.mailto">
          <RegistryValue Type="string" Value="URL:MailTo Protocol"/>
          <RegistryValue Name="URL Protocol" Type="string" Value=""/>
          <RegistryKey Key="DefaultIcon">
            <RegistryValue Type="string" Value="&quot;[APPLICATIONFOLDER]Ostal.exe&quot;,0"/>
          </RegistryKey>
          <RegistryKey Key="shell\\open\\command">
            <RegistryValue Type="string" Value="&quot;[APPLICATIONFOLDER]Ostal.exe&quot; &quot;%1&quot;"/>
          </RegistryKey>
        </RegistryKey>
      </Component>
    </DirectoryRef>
    <Feature Id="OstalMailClientFeature" Level="1" Absent="disallow">
      <ComponentRef Id="OstalMailClient"/>
    </Feature>
`;

/** The .wxs text with the mail client declared (idempotent). */
export function addMailClient(wxs) {
  if (wxs.includes('Id="OstalMailClient"')) return wxs;
  if (!wxs.includes('</Product>') || !wxs.includes('Id="APPLICATIONFOLDER"')) throw new Error('msi-mail-client: unexpected MSI template');
  return wxs.replace('</Product>', `${COMPONENT}  </Product>`);
}
