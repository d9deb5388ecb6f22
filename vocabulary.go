package carepath

// The typed vocabulary every layer shares. Each type is a string on the
// wire and in the database (JSON, SQL and Temporal payloads are unchanged),
// but a bare string literal no longer passes where one is expected, so a
// typo fails to compile instead of failing in production.

// Locales are the languages carepath speaks to patients in: every journey
// message has a text in each (the journeytest harness checks it), and a
// patient's locale must be one of them.
var Locales = []string{"en", "es"}

// Channel is how a message travels.
type Channel string

// Channels.
const (
	ChannelSMS   Channel = "sms"
	ChannelEmail Channel = "email"
)

// Channels lists every channel, in the order fallbacks try them.
var Channels = []Channel{ChannelSMS, ChannelEmail}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c == ChannelSMS || c == ChannelEmail }

// Purpose is why a message is sent, which decides the consent and outreach
// rules it is subject to.
type Purpose string

// Purposes of a message or of a consent decision.
const (
	// PurposeCare is treatment and safety content.
	PurposeCare Purpose = "care"
	// PurposeOutreach is engagement and re-engagement: subject to outreach
	// consent, caps and quiet hours.
	PurposeOutreach Purpose = "outreach"
	// PurposeCompliance is for replies the law requires (STOP and HELP
	// confirmations): sent at once, even to a person who just opted out.
	PurposeCompliance Purpose = "compliance"
	// PurposeAll is a consent decision about every purpose at once (an
	// SMS STOP revokes everything sent by SMS). Never a message's purpose.
	PurposeAll Purpose = "all"
)

// Priority is how soon a care-team task needs a person.
type Priority string

// Task priorities, most pressing first.
const (
	PriorityUrgent Priority = "urgent"
	PriorityHigh   Priority = "high"
	PriorityNormal Priority = "normal"
	PriorityLow    Priority = "low"
)

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	switch p {
	case PriorityUrgent, PriorityHigh, PriorityNormal, PriorityLow:
		return true
	}
	return false
}

// Role is what an API key may do.
type Role string

// API key roles.
const (
	RoleAdmin       Role = "admin"
	RoleCareTeam    Role = "care_team"
	RoleIntegration Role = "integration"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleCareTeam || r == RoleIntegration }

// RoleReadOnly is a signed-in person (a manager) who may read what the care
// team reads and change nothing. People only: API keys never have it.
const RoleReadOnly Role = "read_only"

// ValidUserRole reports whether r is a role a person's account may have.
func (r Role) ValidUserRole() bool { return r == RoleAdmin || r == RoleCareTeam || r == RoleReadOnly }
