package gen

// app is a client application users sign in to.
type app struct {
	ID, Name           string
	Resource           string
	ResourceID         string
	Client             string // clientAppUsed
	Mobile, Management bool
}

const (
	exchange   = "Office 365 Exchange Online"
	exchangeID = "00000002-0000-0ff1-ce00-000000000000"
	graph      = "Microsoft Graph"
	graphID    = "00000003-0000-0000-c000-000000000000"
	spo        = "Office 365 SharePoint Online"
	spoID      = "00000003-0000-0ff1-ce00-000000000000"
	arm        = "Windows Azure Service Management API"
	armID      = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
	browser    = "Browser"
	rich       = "Mobile Apps and Desktop clients"
)

// Well-known first-party application IDs.
var (
	appOfficeHome = &app{ID: "4765445b-32c6-49b0-83e6-1d93765276ca", Name: "OfficeHome", Resource: graph, ResourceID: graphID, Client: browser}
	appOWA        = &app{ID: "9199bf20-a13f-4107-85dc-02114787ef48", Name: "One Outlook Web", Resource: exchange, ResourceID: exchangeID, Client: browser}
	appSPWeb      = &app{ID: "08e18876-6177-487e-b8b5-cf950c1e598c", Name: "SharePoint Online Web Client Extensibility", Resource: spo, ResourceID: spoID, Client: browser}
	appTeams      = &app{ID: "1fec8e78-bce4-4aaf-ab1b-5451cc387264", Name: "Microsoft Teams", Resource: "Microsoft Teams Services", ResourceID: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", Client: rich}
	appOffice     = &app{ID: "d3590ed6-52b3-4102-aeff-aad2292ab01c", Name: "Microsoft Office", Resource: graph, ResourceID: graphID, Client: rich}
	appOneDrive   = &app{ID: "ab9b8c07-8f02-4f72-87fa-80105867a763", Name: "OneDrive SyncEngine", Resource: spo, ResourceID: spoID, Client: rich}
	appOutlookMob = &app{ID: "27922004-5251-4030-b22d-91ecd9a37ea4", Name: "Outlook Mobile", Resource: exchange, ResourceID: exchangeID, Client: rich, Mobile: true}
	appTeamsMob   = &app{ID: "1fec8e78-bce4-4aaf-ab1b-5451cc387264", Name: "Microsoft Teams", Resource: "Microsoft Teams Services", ResourceID: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", Client: rich, Mobile: true}
	appPortal     = &app{ID: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", Name: "Azure Portal", Resource: arm, ResourceID: armID, Client: browser, Management: true}
	appCLI        = &app{ID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", Name: "Microsoft Azure CLI", Resource: arm, ResourceID: armID, Client: rich, Management: true}
	appPS         = &app{ID: "1950a258-227b-4e31-a9cf-717495945fc2", Name: "Microsoft Azure PowerShell", Resource: arm, ResourceID: armID, Client: rich, Management: true}
	appAADPS      = &app{ID: "1b730954-1685-4b74-9bfd-dac224a7b894", Name: "Azure Active Directory PowerShell", Resource: "Windows Azure Active Directory", ResourceID: "00000002-0000-0000-c000-000000000000", Client: "Other clients"}
	appMySignIns  = &app{ID: "19db86c3-b2b9-44cc-b339-36da233a3be2", Name: "My Signins", Resource: graph, ResourceID: graphID, Client: browser}
	appMailSync   = &app{ID: "5b2c9f3e-7a41-4d0b-9e6f-1c8d2a7b3e90", Name: "BlueMail", Resource: exchange, ResourceID: exchangeID, Client: rich}
)

var (
	browserApps = []*app{appOfficeHome, appOWA, appOWA, appSPWeb, appTeams, appOffice}
	mobileApps  = []*app{appOutlookMob, appOutlookMob, appTeamsMob}
	refreshApps = []*app{appTeams, appOffice, appOneDrive, appOffice}
)

// device is a kind of endpoint device with its user agent.
type device struct {
	OS, Browser, UA string
	Managed         bool
}

var desktops = []*device{
	{"Windows 10", "Edge 129.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0", true},
	{"Windows 10", "Chrome 129.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36", true},
	{"Windows 10", "Edge 130.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0", true},
	{"MacOs", "Safari 18.0", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15", true},
	{"MacOs", "Chrome 129.0.0", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36", true},
}

var phones = []*device{
	{"Ios 18.0", "Mobile Safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148", false},
	{"Android 14", "Chrome Mobile", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Mobile Safari/537.36", false},
}

// Devices of non-staff actors.
var (
	sprayDevice    = &device{"", "", "BAV2ROPC", false}
	attackerDevice = &device{"Linux", "Firefox 128.0", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", false}
	torDevice      = &device{"Windows 10", "Firefox 128.0", "Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0", false}
	syncDevice     = &device{"", "", "BlueMail/1.140.47 (sync service)", false}
	cliDevice      = &device{"Windows 10", "", "python/3.11 (Windows-10) azure-cli/2.65.0", true}
	psDevice       = &device{"Windows 10", "", "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1 Az.Accounts/3.0.4", true}
)

// detail is the deviceDetail of a sign-in from d by u: managed devices carry
// a stable device ID derived from the user.
func (d *device) detail(u *user) deviceDetail {
	dd := deviceDetail{OperatingSystem: d.OS, Browser: d.Browser}
	if d.Managed {
		dd.DeviceID = u.deviceID
		dd.DisplayName = "CONTOSO-" + u.id[:8]
		dd.IsCompliant, dd.IsManaged, dd.TrustType = true, true, "Azure AD joined"
	}
	return dd
}
