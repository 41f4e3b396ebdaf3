package netdetect

import "github.com/vedette/vedette/internal/event"

// Channels: service x direction, relative to the monitored host.
const (
	chSSHIn = iota
	chSSHOut
	chRDPIn
	chRDPOut
	numChannels
)

// Detection describes one network detection.
type Detection struct {
	ID        string // kebab-case, stable
	Name      string // as users know it
	AlertType string // Defender for Cloud alert type
	Severity  event.Severity
	MITRE     event.MITRE
	channel   int
	many      bool // many peers (one-to-many / many-to-one) rather than one-to-one
}

var (
	bruteForce = event.MITRE{Tactic: "Credential Access", Technique: "Brute Force", TechniqueID: "T1110"}
	rdpLateral = event.MITRE{Tactic: "Lateral Movement", Technique: "Remote Services: Remote Desktop Protocol", TechniqueID: "T1021.001"}
	sshLateral = event.MITRE{Tactic: "Lateral Movement", Technique: "Remote Services: SSH", TechniqueID: "T1021.004"}
	discovery  = event.MITRE{Tactic: "Discovery", Technique: "Network Service Discovery", TechniqueID: "T1046"}
	// A successful brute force is both: the credential was guessed and
	// the attacker is in. event.MITRE holds one tactic string.
	bruteForceSuccess = event.MITRE{Tactic: "Credential Access, Initial Access", Technique: "Brute Force", TechniqueID: "T1110"}
	c2Technique       = event.MITRE{Tactic: "Command and Control", Technique: "Application Layer Protocol", TechniqueID: "T1071"}
)

// Detections lists the brute-force detections in evaluation order.
var Detections = []Detection{
	{"rdp-outgoing-one-to-one", "Suspicious outgoing RDP network activity", "RDP_Outgoing_BF_OneToOne", event.SeverityHigh, rdpLateral, chRDPOut, false},
	{"rdp-outgoing-one-to-many", "Suspicious outgoing RDP network activity to multiple destinations", "RDP_Outgoing_BF_OneToMany", event.SeverityHigh, discovery, chRDPOut, true},
	{"ssh-outgoing-one-to-one", "Suspicious outgoing SSH network activity", "SSH_Outgoing_BF_OneToOne", event.SeverityMedium, sshLateral, chSSHOut, false},
	{"ssh-outgoing-one-to-many", "Suspicious outgoing SSH network activity to multiple destinations", "SSH_Outgoing_BF_OneToMany", event.SeverityMedium, discovery, chSSHOut, true},
	{"rdp-incoming-one-to-one", "Suspicious incoming RDP network activity", "RDP_Incoming_BF_OneToOne", event.SeverityMedium, bruteForce, chRDPIn, false},
	{"rdp-incoming-many-to-one", "Suspicious incoming RDP network activity from multiple sources", "RDP_Incoming_BF_ManyToOne", event.SeverityMedium, bruteForce, chRDPIn, true},
	{"ssh-incoming-one-to-one", "Suspicious incoming SSH network activity", "SSH_Incoming_BF_OneToOne", event.SeverityMedium, bruteForce, chSSHIn, false},
	{"ssh-incoming-many-to-one", "Suspicious incoming SSH network activity from multiple sources", "SSH_Incoming_BF_ManyToOne", event.SeverityMedium, bruteForce, chSSHIn, true},
}

// C2Detection is Network_CommunicationWithC2.
var C2Detection = Detection{
	ID: "network-communication-with-c2", Name: "Network communication with a malicious machine detected",
	AlertType: "Network_CommunicationWithC2", Severity: event.SeverityMedium, MITRE: c2Technique,
}

// SuccessDetections are raised for an hour in which an incoming rule of
// their channel raised and a source it counted authenticated successfully
// (see successAlerts). SSH only: no input reports RDP logon outcomes.
var SuccessDetections = []Detection{
	{"ssh-incoming-brute-force-success", "Successful SSH brute force attack", "VM_SshBruteForceSuccess", event.SeverityHigh, bruteForceSuccess, chSSHIn, false},
}

// successEnabled says whether the configuration enables d.
func (c *Config) successEnabled(d *Detection) bool {
	return d.channel == chSSHIn && c.SSH.IncomingSuccess.Enabled
}

func incoming(ch int) bool { return ch == chSSHIn || ch == chRDPIn }

func service(ch int) string {
	if ch == chSSHIn || ch == chSSHOut {
		return "SSH"
	}
	return "RDP"
}

// rule returns the configured rule of d.
func (c *Config) rule(d *Detection) Rule {
	s := &c.SSH.Service
	if service(d.channel) == "RDP" {
		s = &c.RDP
	}
	switch {
	case incoming(d.channel) && d.many:
		return s.IncomingMany
	case incoming(d.channel):
		return s.IncomingOne
	case d.many:
		return s.OutgoingMany
	}
	return s.OutgoingOne
}

var remediation = map[int][]string{
	chSSHIn: {
		"Restrict SSH (tcp/22) to known source ranges in the NSG or firewall; use Just-In-Time VM access or a bastion.",
		"Check the host's auth logs for successful logins from the listed sources during the hour.",
		"Enforce key-based authentication and disable password logins (PasswordAuthentication no).",
	},
	chRDPIn: {
		"Restrict RDP (tcp/3389) to known source ranges; use Just-In-Time VM access or Azure Bastion.",
		"Review Windows Security event 4624/4625 logons from the listed sources during the hour.",
		"Enforce Network Level Authentication and account lockout.",
	},
	chSSHOut: {
		"Investigate the process on the host that opened the SSH connections; the host may be compromised.",
		"Check the destinations' auth logs for logins from this host.",
		"Isolate the host if the activity is not an expected admin or automation task.",
	},
	chRDPOut: {
		"Investigate the process on the host that opened the RDP connections; the host may be compromised.",
		"Check the destinations for logons from this host (events 4624/4625).",
		"Isolate the host if the activity is not expected.",
	},
}

var successRemediation = []string{
	"Treat the host as compromised: the listed sources logged in during the attack. Review their sessions (auth logs, last/wtmp, processes and connections started after the login).",
	"Rotate the credentials of every account that accepted those logins, remove unknown authorized_keys entries and disable password logins.",
	"Isolate the host (deny-all NSG rule or network quarantine) until it is cleared, and block the listed sources.",
}

var c2Remediation = []string{
	"Identify the process on the host that talked to the listed address and collect it for analysis.",
	"Block the address at the firewall and check other hosts for traffic to it.",
	"If the traffic is confirmed malicious, isolate the host and rotate its credentials.",
}
