package fhir

import (
	"encoding/json"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// taskStatus maps carepath's task status onto FHIR's TaskStatus: raised
// and waiting for a person (requested), taken by one (accepted), done
// (completed). carepath's own status is also in businessStatus.
var taskStatus = map[string]fm.TaskStatus{
	carepath.TaskOpen:         fm.TaskStatusRequested,
	carepath.TaskAcknowledged: fm.TaskStatusAccepted,
	carepath.TaskResolved:     fm.TaskStatusCompleted,
}

// TaskStatuses are the carepath task statuses a FHIR TaskStatus search
// value names (none for the FHIR statuses carepath never uses).
func TaskStatuses(fhirStatus string) []string {
	var out []string
	for cp, s := range taskStatus {
		if s.Code() == fhirStatus {
			out = append(out, cp)
		}
	}
	return out
}

// taskPriority maps carepath's four priorities onto FHIR's RequestPriority
// (routine < urgent < asap < stat): urgent tasks page someone now (asap),
// high ones within half an hour (urgent), normal and low wait their turn.
var taskPriority = map[carepath.Priority]fm.RequestPriority{
	carepath.PriorityUrgent: fm.RequestPriorityAsap,
	carepath.PriorityHigh:   fm.RequestPriorityUrgent,
	carepath.PriorityNormal: fm.RequestPriorityRoutine,
	carepath.PriorityLow:    fm.RequestPriorityRoutine,
}

// Task renders a care-team task: who owns it, its status and priority,
// its reason, and the message that raised it.
func Task(t store.FHIRTask) (json.RawMessage, error) {
	status, ok := taskStatus[t.Status]
	if !ok {
		status = fm.TaskStatusReady
	}
	out := fm.Task{
		Id:             outPtr(t.ID),
		Meta:           outMeta(t.Version, t.UpdatedAt),
		Identifier:     []fm.Identifier{outIdentifier(SystemTaskID, t.ID)},
		Status:         status,
		BusinessStatus: outConcept("", outCoding(CodeSystemTaskStatus, t.Status, "")),
		Intent:         "order",
		AuthoredOn:     outPtr(Instant(t.CreatedAt)),
		LastModified:   outPtr(Instant(t.UpdatedAt)),
	}
	if p, ok := taskPriority[t.Priority]; ok {
		out.Priority = &p
	}
	if t.Reason != "" {
		out.Code = outConcept(t.Reason)
		out.Description = outPtr(t.Reason)
	}
	if t.PatientFHIRID != "" {
		out.For = outPatientRef(t.PatientFHIRID)
	}
	if t.MessageID != "" {
		msg := outRef("Communication", t.MessageID)
		out.Focus = msg
		out.BasedOn = []fm.Reference{*msg}
	}
	switch {
	case t.AssignedTo != "":
		out.Owner = outLogicalRef("Practitioner", SystemUserID, t.AssignedTo, t.AssignedName)
	case t.AckStaffID != "":
		out.Owner = outLogicalRef("Practitioner", SystemStaffID, t.AckStaffID, t.AckStaffName)
	default:
		if r := authorRef(t.AcknowledgedBy, ""); r != nil {
			out.Owner = r
		}
	}
	if t.AcknowledgedAt != nil {
		out.ExecutionPeriod = &fm.Period{Start: outPtr(Instant(*t.AcknowledgedAt))}
		if t.ResolvedAt != nil {
			out.ExecutionPeriod.End = outPtr(Instant(*t.ResolvedAt))
		}
	}
	if t.DueAt != nil && t.Status == carepath.TaskOpen {
		// Acknowledge by: when it escalates.
		out.Restriction = &fm.TaskRestriction{Period: &fm.Period{End: outPtr(Instant(*t.DueAt))}}
	}
	if t.Note != "" {
		out.Note = append(out.Note, fm.Annotation{Text: t.Note})
	}
	if t.ResolvedNote != "" {
		out.Note = append(out.Note, fm.Annotation{Text: t.ResolvedNote})
	}
	return marshal("Task", out)
}
