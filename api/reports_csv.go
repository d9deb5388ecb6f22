package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/store"
)

// wantCSV reads a report's ?format=: json (the default) or csv.
func wantCSV(c echo.Context) (bool, error) {
	switch c.QueryParam("format") {
	case "", "json":
		return false, nil
	case "csv":
		return true, nil
	}
	return false, carepath.Invalid("format", "must be json or csv")
}

// writeCSV answers a table as a CSV download: a header row, then rows.
// Managers open these in Excel, so every cell that a spreadsheet would
// read as a formula is defused (safeCell).
func writeCSV(c echo.Context, filename string, header []string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for _, r := range append([][]string{header}, rows...) {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = safeCell(v)
		}
		if err := w.Write(cells); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// safeCell prefixes a quote to a cell a spreadsheet would run as a formula
// (one starting with =, +, -, @, or a tab or carriage return that may hide
// one), so it shows as text (OWASP's CSV injection advice).
func safeCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// engagementCSV is the engagement report's per-journey table.
func engagementCSV(c echo.Context, rep engine.Engagement) error {
	header := []string{"journey", "enrolled", "messaged", "reached", "responded", "completed", "declined", "opted_out",
		"reengaged", "decliners", "decliners_reengaged", "satisfaction_mean", "satisfaction_answers", "satisfaction_distribution", "outcomes",
		"appointments_followed", "appointments_reminded", "appointments_confirmed", "appointments_cancelled",
		"appointments_reschedule_requested", "appointments_no_shows"}
	rows := make([][]string, 0, len(rep.Journeys))
	for _, j := range rep.Journeys {
		mean := ""
		if j.Satisfaction.Mean != nil {
			mean = strconv.FormatFloat(*j.Satisfaction.Mean, 'f', 2, 64)
		}
		n := strconv.Itoa
		// Appointment figures: the appointment_reminders line only.
		appt := make([]string, 6)
		if a := j.Appointments; a != nil {
			appt = []string{n(a.Followed), n(a.Reminded), n(a.Confirmed), n(a.Cancelled), n(a.RescheduleRequested), n(a.NoShows)}
		}
		rows = append(rows, append([]string{j.Journey, n(j.Enrolled), n(j.Messaged), n(j.Reached), n(j.Responded), n(j.Completed),
			n(j.Declined), n(j.OptedOut), n(j.Reengaged), n(j.Decliners.Declined), n(j.Decliners.Reengaged), mean,
			n(j.Satisfaction.Count), pairs(j.Satisfaction.Distribution), pairs(j.Outcomes)}, appt...))
	}
	name := fmt.Sprintf("engagement-%s-to-%s.csv", rep.From.Format(time.DateOnly), rep.To.Format(time.DateOnly))
	return writeCSV(c, name, header, rows)
}

// pairs writes a count map as "key=n; key=n" in key order.
func pairs(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(out, "; ")
}

// hygieneCSV is the contact-hygiene list.
func hygieneCSV(c echo.Context, items []store.HygieneRow) error {
	header := []string{"patient_id", "phone_status", "email_status", "has_phone", "has_email", "updated_at"}
	rows := make([][]string, len(items))
	for i, r := range items {
		rows[i] = []string{r.PatientID, r.PhoneStatus, r.EmailStatus, strconv.FormatBool(r.HasPhone),
			strconv.FormatBool(r.HasEmail), r.UpdatedAt.UTC().Format(time.RFC3339)}
	}
	return writeCSV(c, "contact-hygiene-"+time.Now().UTC().Format(time.DateOnly)+".csv", header, rows)
}
