package activities

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// AppointmentRespond records a patient's answer to an appointment reminder
// (confirmed, cancelled, reschedule requested) on the appointment, for the
// EHR pusher to send on. A retry changes nothing more; an appointment the
// patient does not have is reported as not found, not retried.
func (a *Activities) AppointmentRespond(ctx context.Context, req AppointmentRespondRequest) (AppointmentRespondResult, error) {
	switch req.Response {
	case AppointmentConfirmed, AppointmentCancelled, AppointmentRescheduleRequested:
	default:
		return AppointmentRespondResult{}, temporal.NewNonRetryableApplicationError("unknown appointment response "+req.Response,
			ErrTypeInvalidRequest, nil)
	}
	if uuid.Validate(req.AppointmentID) != nil {
		return AppointmentRespondResult{}, temporal.NewNonRetryableApplicationError("appointment ID is not a UUID",
			ErrTypeInvalidRequest, nil)
	}
	res, err := a.Store.AppointmentRespond(ctx, store.AppointmentResponse{AppointmentID: req.AppointmentID,
		PatientID: req.PatientID, Response: req.Response, RespondedAt: req.RespondedAt})
	if carepath.ErrorCode(err) == carepath.ENOTFOUND {
		a.Log.Warn("appointment reply for an appointment not on record", "enrollment_id", req.EnrollmentID,
			"message_id", req.MessageID)
		return AppointmentRespondResult{}, nil
	}
	if err != nil {
		return AppointmentRespondResult{}, fmt.Errorf("appointment respond %s: %w", req.AppointmentID, err)
	}
	if res.Applied {
		// IDs only: what the patient answered stays out of the log.
		a.Log.Info("appointment reply recorded", "enrollment_id", req.EnrollmentID, "message_id", req.MessageID,
			"version", res.Version)
	}
	return AppointmentRespondResult{Found: true, Status: res.Status, Version: res.Version}, nil
}

// AppointmentReminded records how many reminders of the appointment have
// been sent (the no-shows-after-reminders figure). An appointment not on
// record is logged, not retried.
func (a *Activities) AppointmentReminded(ctx context.Context, req AppointmentRemindedRequest) error {
	if uuid.Validate(req.AppointmentID) != nil {
		return temporal.NewNonRetryableApplicationError("appointment ID is not a UUID", ErrTypeInvalidRequest, nil)
	}
	err := a.Store.AppointmentReminded(ctx, req.AppointmentID, req.PatientID, req.Reminders)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND {
		a.Log.Warn("appointment reminder for an appointment not on record", "enrollment_id", req.EnrollmentID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("appointment reminded %s: %w", req.AppointmentID, err)
	}
	return nil
}
