// Package engine holds carepath's use cases: what the API (and later other
// front doors) ask of the system. It ties the CRM record in PostgreSQL to
// the journeys running in Temporal. Handlers decode and encode; the engine
// decides.
package engine

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/oidc"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// Engine is the application core.
type Engine struct {
	Store    *store.Store
	Temporal client.Client
	Journeys *workflows.Registry
	Log      *slog.Logger
	// ClinicZone is the clinic's time zone (CAREPATH_CLINIC_TIMEZONE): the
	// on-call roster's weekdays and hours are in it. nil: America/New_York.
	ClinicZone *time.Location
	// OIDC is single sign-on's provider (CAREPATH_OIDC_*); nil: off.
	OIDC *oidc.Client
	// EHR is the EHR's FHIR server carepath pushes to and reads id-only
	// subscription notifications' resources from (CAREPATH_EHR_*); nil: off.
	EHR *EHRLink

	wake routerWake // a stored reply wakes this process's reply router
}

// Health reports whether the database and Temporal answer.
func (e *Engine) Health(ctx context.Context) map[string]error {
	_, terr := e.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
	return map[string]error{"database": e.Store.Ping(ctx), "temporal": terr}
}

// validID turns a malformed ID into ENOTFOUND before it reaches SQL.
func validID(id, resource string) error {
	if _, err := uuid.Parse(id); err != nil {
		return carepath.NotFound(resource)
	}
	return nil
}
