package workflows

import (
	"sort"

	"github.com/carepath/carepath/messaging"
)

// Compliance templates.
const (
	TemplateStopConfirm  = "compliance.stop_confirm"
	TemplateStartConfirm = "compliance.start_confirm"
	TemplateHelp         = "compliance.help"
	TemplatePreferences  = "compliance.preferences_updated"
)

// Safety and acknowledgement templates: what the engine answers, at once
// and on the priority lane, to a red flag or a reading sent by text.
const (
	// TemplateSafetyEmergency answers a message with a red flag.
	TemplateSafetyEmergency = "safety.emergency"
	// TemplateSafetyCrisis answers crisis language (suicidal thoughts,
	// self-harm): it adds 988, the Suicide & Crisis Lifeline.
	TemplateSafetyCrisis = "safety.crisis"
	// TemplateStopConfirmEmail confirms an opt-out made by email.
	TemplateStopConfirmEmail = "compliance.stop_confirm_email"
	// TemplateReadingAck acknowledges a reading sent by text.
	TemplateReadingAck = "reading.ack"
	// TemplateReadingAckFlagged acknowledges a reading outside its safe
	// range: the care team has been told.
	TemplateReadingAckFlagged = "reading.ack_flagged"
)

// TemplateStaffReply is a staff member's reply from the console: the body
// is their text as written (StaffReplyText), in every locale; only the
// email subject is carepath's.
const TemplateStaffReply = "staff.reply"

// StaffReplyText is TemplateStaffReply's one variable.
const StaffReplyText = "text"

// systemMessages is the runtime's own wording.
var systemMessages = map[string]map[string]messaging.Text{
	TemplateStopConfirm: {
		"en": {Body: "You're unsubscribed from your care team's texts and will get no more. Reply START to resubscribe."},
		"es": {Body: "Ya no recibirá más mensajes de texto de su equipo de atención. Responda START para volver a suscribirse."},
	},
	TemplateStartConfirm: {
		"en": {Body: "You're subscribed again to texts from your care team. Reply STOP to unsubscribe, HELP for help."},
		"es": {Body: "Volvió a suscribirse a los mensajes de su equipo de atención. Responda STOP para cancelar, HELP para ayuda."},
	},
	TemplatePreferences: {
		"en": {Subject: "Preferences updated", Body: "Got it: we've updated how we contact you. Reply HELP for help or STOP to opt out."},
		"es": {Subject: "Preferencias actualizadas", Body: "Entendido: actualizamos cómo le contactamos. Responda HELP para ayuda o STOP para cancelar."},
	},
	TemplateHelp: {
		"en": {Body: "Your care team's patient messages. Msg frequency varies. Reply STOP to unsubscribe. For emergencies call 911."},
		"es": {Body: "Mensajes de su equipo de atención. Frecuencia variable. Responda STOP para cancelar. En emergencias llame al 911."},
	},
	TemplateSafetyEmergency: {
		"en": {Subject: "Please get help now", Body: "If this is an emergency, call 911 now. We've alerted your care team and a nurse will call you as soon as possible. This number is not watched around the clock."},
		"es": {Subject: "Busque ayuda ahora", Body: "Si es una emergencia, llame al 911 ya. Avisamos a su equipo y una enfermera le llamará pronto. Este número no se atiende 24 horas."},
	},
	TemplateSafetyCrisis: {
		"en": {Subject: "You are not alone", Body: "If you might hurt yourself, call or text 988 now (Suicide & Crisis Lifeline), or call 911. We've alerted your care team and a nurse will call you as soon as possible."},
		"es": {Subject: "No está solo", Body: "Si podría hacerse daño, llame o escriba al 988 (Línea de Crisis) o al 911 ya. Avisamos a su equipo y una enfermera le llamará pronto."},
	},
	TemplateStopConfirmEmail: {
		"en": {Subject: "You're unsubscribed", Body: "You're unsubscribed from your care team's emails and will get no more."},
		"es": {Subject: "Suscripción cancelada", Body: "Ya no recibirá más correos electrónicos de su equipo de atención."},
	},
	TemplateReadingAck: {
		"en": {Subject: "Reading received", Body: "Thanks, we got your reading and your care team will see it."},
		"es": {Subject: "Lectura recibida", Body: "Gracias, recibimos su lectura y su equipo de atención la verá."},
	},
	// index, not .text: the catalogue's wording check renders every
	// template without this variable (a staff reply has no wording of ours).
	TemplateStaffReply: {
		"en": {Subject: "A message from your care team", Body: `{{index . "text"}}`},
		"es": {Subject: "Un mensaje de su equipo de atención", Body: `{{index . "text"}}`},
	},
	TemplateReadingAckFlagged: {
		"en": {Subject: "Reading received", Body: "Thanks, we got your reading. It is outside your safe range, so we've told your care team. If you feel unwell, call 911."},
		"es": {Subject: "Lectura recibida", Body: "Gracias, recibimos su lectura. Está fuera de su rango seguro y avisamos a su equipo de atención. Si se siente mal, llame al 911."},
	},
}

// systemTemplateKeys are systemMessages' keys in a fixed order.
func systemTemplateKeys() []string {
	keys := make([]string, 0, len(systemMessages))
	for k := range systemMessages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
