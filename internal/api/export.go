package api

import (
	"encoding/json"
	"net/http"
)

// exportTrailer is the HTTP trailer of an export: "complete" or "failed".
const exportTrailer = "Vedette-Export"

// exportAlerts streams every alert the filters select as JSON lines, page
// by page through the store's cursor, flushing each page: memory stays one
// page whatever the size of the export. A client that goes away stops it.
func (s *Server) exportAlerts(w http.ResponseWriter, r *http.Request) {
	f, err := alertFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Limit = maxLimit
	page, err := s.store.Alerts(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	apiHeaders(w, "application/x-ndjson")
	w.Header().Set("Content-Disposition", `attachment; filename="alerts.jsonl"`)
	// The trailer tells a complete export from one cut short.
	w.Header().Set("Trailer", exportTrailer)
	enc := json.NewEncoder(w)
	rc := http.NewResponseController(w)
	for {
		for i := range page.Alerts {
			if err := enc.Encode(&page.Alerts[i]); err != nil {
				return // the client went away
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
		if page.Next == "" {
			w.Header().Set(exportTrailer, "complete")
			return
		}
		f.Cursor = page.Next
		if page, err = s.store.Alerts(r.Context(), f); err != nil {
			// The status is sent: end the stream where it broke.
			s.log.Warn("api export", "err", err)
			w.Header().Set(exportTrailer, "failed")
			return
		}
	}
}
