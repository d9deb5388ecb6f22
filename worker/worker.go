// Package worker runs carepath's journeys and activities on Temporal.
package worker

import (
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/workflows"
)

// New returns a worker on the journeys' task queue with every journey and
// activity registered. Start it with Start and stop it with Stop.
func New(c client.Client, reg *workflows.Registry, acts *activities.Activities) sdkworker.Worker {
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{
		// Drain in-flight activities on shutdown instead of abandoning them
		// to their timeouts.
		WorkerStopTimeout: 10e9,
	})
	reg.RegisterWorkflows(w)
	w.RegisterActivity(acts)
	return w
}
