package fhir

// Identifier systems and code systems carepath itself defines, for the
// resources it renders (Communication, Task, QuestionnaireResponse,
// Observation, Patient). They are https URLs under carepath.dev: a URI a
// validator accepts (urn:carepath:… is no registered URN namespace). None
// of them resolves yet; they name, they do not point.
const (
	// SystemMessageID is a message's carepath UUID (Communication.identifier;
	// also its id).
	SystemMessageID = "https://carepath.dev/fhir/sid/message"
	// SystemProviderMessagePrefix + provider ("twilio", "sendgrid") is the
	// system of the provider's own message ID (Twilio's SM…).
	SystemProviderMessagePrefix = "https://carepath.dev/fhir/sid/provider-message/"
	// SystemTaskID is a task's carepath UUID.
	SystemTaskID = "https://carepath.dev/fhir/sid/task"
	// SystemQuestionID is a question's carepath UUID (QuestionnaireResponse).
	SystemQuestionID = "https://carepath.dev/fhir/sid/question"
	// SystemObservationID is a reading's carepath UUID.
	SystemObservationID = "https://carepath.dev/fhir/sid/observation"
	// SystemObservationSource is the ID the sending system gave a reading.
	SystemObservationSource = "https://carepath.dev/fhir/sid/observation-source"
	// SystemPatientID is a patient's carepath UUID (on a rendered Patient,
	// and on references whose id is the EHR's).
	SystemPatientID = "https://carepath.dev/fhir/sid/patient"
	// SystemUserID names a person who signs in to carepath (Task.owner, a
	// staff reply's sender).
	SystemUserID = "https://carepath.dev/fhir/sid/user"
	// SystemStaffID names a paged staff member (who acknowledged a task).
	SystemStaffID = "https://carepath.dev/fhir/sid/staff"
	// SystemAPIKeyID names an integration's API key (a reply sent by one).
	SystemAPIKeyID = "https://carepath.dev/fhir/sid/api-key"
	// SystemCaregiverID names a caregiver (a message's recipient).
	SystemCaregiverID = "https://carepath.dev/fhir/sid/caregiver"

	// CodeSystemSuppressionReason: why carepath did not send a message
	// (opted_out, quiet_hours, capped, no_contact, …), the statusReason of
	// a not-done Communication; also why a send failed.
	CodeSystemSuppressionReason = "https://carepath.dev/fhir/CodeSystem/suppression-reason"
	// CodeSystemMessageStatus: carepath's own message status (queued,
	// deferred, delivered, routed, …), kept beside the FHIR EventStatus it
	// maps onto.
	CodeSystemMessageStatus = "https://carepath.dev/fhir/CodeSystem/message-status"
	// CodeSystemMessagePurpose: care, outreach, compliance
	// (Communication.category).
	CodeSystemMessagePurpose = "https://carepath.dev/fhir/CodeSystem/message-purpose"
	// CodeSystemMessageTemplate: the journey template a message was
	// written from (Communication.topic).
	CodeSystemMessageTemplate = "https://carepath.dev/fhir/CodeSystem/message-template"
	// CodeSystemTaskReason: a task's reason as carepath words it
	// (Task.code).
	CodeSystemTaskReason = "https://carepath.dev/fhir/CodeSystem/task-reason"
	// CodeSystemTaskStatus: carepath's task status (open, acknowledged,
	// resolved), beside the FHIR TaskStatus (Task.businessStatus).
	CodeSystemTaskStatus = "https://carepath.dev/fhir/CodeSystem/task-status"
	// CodeSystemReadingCode: carepath's reading codes (blood_glucose, …)
	// beside LOINC's.
	CodeSystemReadingCode = "https://carepath.dev/fhir/CodeSystem/reading-code"

	// QuestionnaireBase + journey + "/" + question key is the canonical of
	// the questionnaire a journey question belongs to
	// (QuestionnaireResponse.questionnaire); + "/choices" is the code
	// system of that question's choices.
	QuestionnaireBase = "https://carepath.dev/fhir/questionnaire/"
)

// Code systems and profiles FHIR and HL7 define, as carepath uses them.
const (
	systemObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
	systemParticipationMode   = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode"
	systemLanguage            = "urn:ietf:bcp:47"
	extensionTimezone         = "http://hl7.org/fhir/StructureDefinition/timezone"
	profileVitalSigns         = "http://hl7.org/fhir/StructureDefinition/vitalsigns"
	profileVitalSignsSpecific = "http://hl7.org/fhir/StructureDefinition/"
)
