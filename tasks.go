package carepath

// Reasons for care-team tasks that more than one layer raises, spelled once
// so the engine and the journey runtime file the same cause the same way
// (the care team filters and reports by reason).

// ReasonUnmatchedReply is the task holding a patient's reply that no open
// question took: the engine raises it when a reply answers nothing or its
// journey has ended, a journey when a reply arrives while it asks nothing.
// Its dedupe key is TaskKeyReply, so a reply raises it once.
const ReasonUnmatchedReply = "patient reply needs review (it answered no open question)"

// ReasonRedFlag is the urgent task a patient's message raises when it may
// describe an emergency (chest pain, trouble breathing, suicidal thoughts…):
// the engine screens every inbound message for red flags before routing it.
// The task's note names the category and the phrase matched.
const ReasonRedFlag = "possible emergency in a patient's message: call the patient now"

// ReasonPossibleOptOut is the review task for a message that may ask us to
// stop contacting the patient but does not say so clearly enough to revoke
// consent on its own ("can you stop these?"): a person decides.
const ReasonPossibleOptOut = "message may ask us to stop contacting the patient: please review"

// ReasonReadingOutOfRange is the task a reading outside its safe range
// raises (too low or too high), whoever sent it and whether or not a
// follow-up journey is running.
const ReasonReadingOutOfRange = "reading outside the safe range: review the patient"
