package messaging

import (
	"strings"

	"github.com/carepath/carepath"
)

// PreferenceChange is what a reply like "email me instead" asks for.
type PreferenceChange struct {
	Channel   carepath.Channel // "sms", "email" or ""
	Locale    string           // "en", "es" or ""
	LessOften bool
}

// Any reports whether the reply asked for a change.
func (p PreferenceChange) Any() bool { return p.Channel != "" || p.Locale != "" || p.LessOften }

// Phrases are matched in the lower-cased, accent-folded reply. They are
// deliberately specific: "email" alone (an answer to a question about
// email?) is not enough.
var preferencePhrases = []struct {
	phrases []string
	apply   func(*PreferenceChange)
}{
	{[]string{"email me", "email instead", "use email", "by email", "send email", "por correo", "correo electronico"},
		func(p *PreferenceChange) { p.Channel = "email" }},
	{[]string{"text me", "text instead", "by text", "use text", "send texts", "por mensaje de texto", "por texto"},
		func(p *PreferenceChange) { p.Channel = "sms" }},
	{[]string{"in spanish", "spanish please", "en espanol", "text in spanish", "hablo espanol"},
		func(p *PreferenceChange) { p.Locale = "es" }},
	{[]string{"in english", "english please", "en ingles"},
		func(p *PreferenceChange) { p.Locale = "en" }},
	{[]string{"less often", "too many messages", "too many texts", "fewer messages", "menos mensajes", "con menos frecuencia"},
		func(p *PreferenceChange) { p.LessOften = true }},
}

var accents = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n", "ü", "u")

// ParsePreference reads a reply for a change of channel, language or
// frequency. Several can come together ("email me, in Spanish").
func ParsePreference(body string) PreferenceChange {
	s := " " + strings.Join(strings.Fields(accents.Replace(strings.ToLower(body))), " ") + " "
	s = strings.NewReplacer(",", " ", ".", " ", "!", " ", "?", " ").Replace(s)
	s = " " + strings.Join(strings.Fields(s), " ") + " "
	var p PreferenceChange
	for _, rule := range preferencePhrases {
		for _, ph := range rule.phrases {
			if strings.Contains(s, " "+ph+" ") {
				rule.apply(&p)
				break
			}
		}
	}
	return p
}
