package api

import (
	"encoding/csv"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/store"
)

// The engagement CSV carries the appointment reminders' figures on the
// appointment_reminders line, and empty cells on the others.
func TestEngagementCSVAppointmentColumns(t *testing.T) {
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest("GET", "/v1/reports/engagement?format=csv", nil), rec)
	rep := engine.Engagement{Journeys: []store.JourneyEngagement{
		{Journey: "appointment_reminders", Enrolled: 7, Appointments: &store.AppointmentFigures{Followed: 7, Reminded: 5,
			Confirmed: 2, Cancelled: 1, RescheduleRequested: 1, NoShows: 1}},
		{Journey: "onboarding", Enrolled: 3},
	}}
	if err := engagementCSV(c, rep); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := strings.Join(rows[0], ",")
	if !strings.HasSuffix(header, ",appointments_followed,appointments_reminded,appointments_confirmed,appointments_cancelled,appointments_reschedule_requested,appointments_no_shows") {
		t.Fatalf("header %s", header)
	}
	n := len(rows[0])
	if got := strings.Join(rows[1][n-6:], ","); got != "7,5,2,1,1,1" {
		t.Fatalf("appointment_reminders figures %s", got)
	}
	if got := strings.Join(rows[2][n-6:], ","); got != ",,,,," || len(rows[2]) != n {
		t.Fatalf("onboarding appointment cells %q", rows[2][n-6:])
	}
}
