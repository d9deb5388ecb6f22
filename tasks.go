package carepath

// Reasons for care-team tasks that more than one layer raises, spelled once
// so the engine and the journey runtime file the same cause the same way
// (the care team filters and reports by reason).

// ReasonUnmatchedReply is the task holding a patient's reply that no open
// question took: the engine raises it when a reply answers nothing or its
// journey has ended, a journey when a reply arrives while it asks nothing.
// Its dedupe key is TaskKeyReply, so a reply raises it once.
const ReasonUnmatchedReply = "patient reply needs review (it answered no open question)"
