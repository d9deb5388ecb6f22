package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/activities"
)

// NotifyCaregiver tells the patient's authorised caregivers something (only
// those the patient authorised, each on their own consent, channel and
// language), waiting for the patient's send window if need be.
func (j *J) NotifyCaregiver(template string, vars ...Vars) {
	req := activities.NotifyCaregiversRequest{PatientID: j.in.PatientID, EnrollmentID: j.in.EnrollmentID,
		Template: template, Vars: merge(vars), MessageIDBase: j.nextID("caregivers")}
	for {
		var res activities.NotifyCaregiversResult
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, sendOptions), acts.NotifyCaregivers, req).Get(j.ctx, &res); err != nil {
			j.must(fmt.Errorf("notify caregivers: %w", err))
		}
		if res.DeferredUntil == nil {
			return
		}
		if err := j.sleep(max(res.DeferredUntil.Sub(workflow.Now(j.ctx)), time.Second)); err != nil {
			j.must(fmt.Errorf("notify caregivers: %w", err))
		}
	}
}
