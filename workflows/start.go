package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/activities"
)

// StartJourney enrolls the patient in journey d with params p (start from
// d.Defaults()); it runs on by itself, and a patient already in it is not
// enrolled twice. (A function, not a method: methods take no type
// parameters.)
func StartJourney[P any](j *J, d *Journey[P], p P) {
	params, err := d.changedParams(p)
	if err != nil {
		j.must(fmt.Errorf("start %s: params: %w", d.Name, err))
	}
	j.must(j.startJourney(d.Name, params))
}

// startJourney records the enrollment, then starts its journey as an
// abandoned child. params hold only what differs from the journey's
// defaults: the activity fills in the rest.
func (j *J) startJourney(journey string, params []byte) error {
	id := j.nextID("enrollment")
	var res activities.CreateEnrollmentResult
	req := activities.CreateEnrollmentRequest{EnrollmentID: id, PatientID: j.in.PatientID, Journey: journey, Params: params}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.CreateEnrollment, req).Get(j.ctx, &res); err != nil {
		return fmt.Errorf("start %s: %w", journey, err)
	}
	if !res.Start {
		return nil
	}
	ctx := workflow.WithChildOptions(j.ctx, JourneyChildOptions(id))
	child := workflow.ExecuteChildWorkflow(ctx, journey, Input{EnrollmentID: id, PatientID: j.in.PatientID, Journey: journey, Params: res.Params})
	if err := child.GetChildWorkflowExecution().Get(j.ctx, nil); err != nil {
		return fmt.Errorf("start %s: %w", journey, err)
	}
	return nil
}
