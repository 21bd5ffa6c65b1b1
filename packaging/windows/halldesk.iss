; Inno Setup 6 script: the Windows installer of the one-folder bundle.
;
;   python packaging\build_bundle.py          (builds dist\HallDesk and packaging\build\version.iss)
;   iscc packaging\windows\halldesk.iss       (writes dist\HallDesk-<version>-setup.exe)
;
; The version comes from app.__version__ through packaging\build\version.iss (written by
; packaging\version_info.py), the same source as the executable's version resource.
; HallDesk keeps its store and logs in %LOCALAPPDATA%\HallDesk, never in the program folder,
; so a per-user install needs no administrator rights and uninstalling keeps the data.

#include "..\build\version.iss"

#define AppName "HallDesk"
#define AppExe "HallDesk.exe"
#define ZhIsl AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl"

[Setup]
AppId={{6B1F3E0A-7C52-4F0B-9D0E-2A1C4B7E9D31}
AppName={#AppName}
AppVerName={#AppName} {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=HallDesk
VersionInfoVersion={#FileVersion}
VersionInfoProductVersion={#FileVersion}
VersionInfoDescription=HallDesk 营业厅柜台工作台 setup
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=HallDesk-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\halldesk.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Languages]
#if FileExists(ZhIsl)
Name: "chinesesimplified"; MessagesFile: "{#ZhIsl}"
#endif
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\..\dist\HallDesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
