package fhir

import (
	"encoding/json"
	"regexp"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// communicationStatus maps carepath's message status onto FHIR's
// EventStatus. Refused or undeliverable messages are not-done with the
// reason in statusReason; a message whose fate is unknown (held) is
// unknown.
var communicationStatus = map[string]fm.EventStatus{
	carepath.MessageQueued:      fm.EventStatusPreparation,
	carepath.MessageDeferred:    fm.EventStatusOnHold,
	carepath.MessageSending:     fm.EventStatusInProgress,
	carepath.MessageSent:        fm.EventStatusCompleted,
	carepath.MessageDelivered:   fm.EventStatusCompleted,
	carepath.MessageFailed:      fm.EventStatusNotDone,
	carepath.MessageSuppressed:  fm.EventStatusNotDone,
	carepath.MessageUndelivered: fm.EventStatusNotDone,
	carepath.MessageHeld:        fm.EventStatusUnknown,
	carepath.MessageReceived:    fm.EventStatusCompleted,
	carepath.MessageRouted:      fm.EventStatusCompleted,
}

// CommunicationStatus is the EventStatus of a carepath message status
// (unknown for one this table does not know).
func CommunicationStatus(status string) fm.EventStatus {
	if s, ok := communicationStatus[status]; ok {
		return s
	}
	return fm.EventStatusUnknown
}

// mediumOf is how a channel travels, in v3-ParticipationMode (SMSWRIT is
// in the current code system; Communication.medium's binding is an
// example, so older validators accept it too).
var mediumOf = map[carepath.Channel]fm.Coding{
	carepath.ChannelSMS:   outCoding(systemParticipationMode, "SMSWRIT", "SMS message"),
	carepath.ChannelEmail: outCoding(systemParticipationMode, "EMAILWRIT", "email"),
}

// providerName is a provider name fit for a URL path segment.
var providerName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// communicationPayload is CommunicationPayload with only contentString:
// samply's struct has no omitempty on content[x] and would emit empty
// contentAttachment and contentReference beside it (invalid: a choice
// takes one type).
type communicationPayload struct {
	ContentString string `json:"contentString"`
}

// communicationOut is a Communication with the payload above. The outer
// Payload field hides the embedded one from encoding/json.
type communicationOut struct {
	fm.OtherCommunication
	ResourceType string                 `json:"resourceType"`
	Payload      []communicationPayload `json:"payload,omitempty"`
}

// Communication renders a message: sent, received, suppressed (not-done
// with the reason), with its thread (the question a reply answered).
func Communication(m store.FHIRMessage) (json.RawMessage, error) {
	c := fm.Communication{
		Id:         outPtr(m.ID),
		Meta:       outMeta(m.Version, m.UpdatedAt),
		Identifier: []fm.Identifier{outIdentifier(SystemMessageID, m.ID)},
		Status:     CommunicationStatus(m.Status),
		Category: []fm.CodeableConcept{*outConcept("",
			outCoding(CodeSystemMessagePurpose, string(orPurpose(m)), ""))},
	}
	if m.ProviderMessageID != "" && providerName.MatchString(m.Provider) {
		c.Identifier = append(c.Identifier, outIdentifier(SystemProviderMessagePrefix+m.Provider, m.ProviderMessageID))
	}
	if m.StatusReason != "" {
		c.StatusReason = outConcept("", outCoding(CodeSystemSuppressionReason, m.StatusReason, ""),
			outCoding(CodeSystemMessageStatus, m.Status, ""))
	} else if c.Status == fm.EventStatusNotDone || c.Status == fm.EventStatusUnknown || m.Status == carepath.MessageDeferred {
		c.StatusReason = outConcept("", outCoding(CodeSystemMessageStatus, m.Status, ""))
	}
	if medium, ok := mediumOf[m.Channel]; ok {
		c.Medium = []fm.CodeableConcept{*outConcept("", medium)}
	}
	if m.Template != "" {
		c.Topic = outConcept("", outCoding(CodeSystemMessageTemplate, m.Template, ""))
	}
	var patient *fm.Reference
	if m.PatientFHIRID != "" {
		patient = outPatientRef(m.PatientFHIRID)
		c.Subject = patient
	}
	if m.Direction == carepath.DirectionInbound {
		c.Received = outPtr(Instant(m.CreatedAt))
		if patient != nil {
			c.Sender = patient
		}
		if m.InResponseTo != "" {
			c.InResponseTo = []fm.Reference{*outRef("Communication", m.InResponseTo)}
		}
		if m.QuestionID != "" {
			c.About = []fm.Reference{*outRef("QuestionnaireResponse", m.QuestionID)}
		}
	} else {
		if m.SentAt != nil {
			c.Sent = outPtr(Instant(*m.SentAt))
		}
		if m.DeliveredAt != nil {
			c.Received = outPtr(Instant(*m.DeliveredAt))
		}
		switch {
		case m.CaregiverFHIRID != "":
			c.Recipient = []fm.Reference{*outRef("RelatedPerson", m.CaregiverFHIRID)}
		case m.CaregiverID != "":
			c.Recipient = []fm.Reference{*outLogicalRef("RelatedPerson", SystemCaregiverID, m.CaregiverID, "")}
		case patient != nil:
			c.Recipient = []fm.Reference{*patient}
		}
		if s := authorRef(m.Author, m.AuthorName); s != nil {
			c.Sender = s
		}
	}
	out := communicationOut{OtherCommunication: fm.OtherCommunication(c), ResourceType: "Communication"}
	if m.Body != "" {
		out.Payload = []communicationPayload{{ContentString: m.Body}}
	}
	return marshal("Communication", out)
}

func orPurpose(m store.FHIRMessage) carepath.Purpose {
	if m.Purpose == "" {
		return carepath.PurposeCare
	}
	return m.Purpose
}

// authorRef names who wrote a staff reply ("user:<id>", "api_key:<id>").
func authorRef(author, name string) *fm.Reference {
	kind, id, ok := cutActor(author)
	if !ok {
		return nil
	}
	switch kind {
	case carepath.ActorUser:
		return outLogicalRef("Practitioner", SystemUserID, id, name)
	case carepath.ActorAPIKey:
		return outLogicalRef("Device", SystemAPIKeyID, id, name)
	}
	return nil
}

func cutActor(s string) (kind, id string, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], i > 0 && i < len(s)-1
		}
	}
	return "", "", false
}
