package webhook

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
)

//go:embed templates/*.tmpl
var builtin embed.FS

// Data is what a body template sees: the change (.Alert, .Triage, .Kind,
// .Seq, .At) and the alert's subject (principal, host or tenant).
type Data struct {
	event.Change
	Subject string
}

var funcs = template.FuncMap{
	// json quotes a value as JSON, so templates cannot produce broken JSON.
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	// mrkdwn escapes the three characters Slack's mrkdwn reserves.
	"mrkdwn": strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace,
	// trunc keeps at most n characters (runes) of s.
	"trunc": func(n int, s string) string {
		r := []rune(s)
		if len(r) <= n {
			return s
		}
		return string(r[:n-1]) + "…"
	},
}

// loadTemplate returns the body function of a built-in template name or a
// template file. A rendering that is not valid JSON is an error.
func loadTemplate(name, file string) (func(event.Change) ([]byte, error), error) {
	var (
		src []byte
		err error
	)
	if file != "" {
		src, err = os.ReadFile(file)
	} else {
		src, err = builtin.ReadFile("templates/" + name + ".tmpl")
	}
	if err != nil {
		return nil, fmt.Errorf("webhook: template: %w", err)
	}
	t, err := template.New("body").Funcs(funcs).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("webhook: template: %w", err)
	}
	return func(c event.Change) ([]byte, error) {
		var buf bytes.Buffer
		if err := t.Execute(&buf, Data{Change: c, Subject: format.Subject(&c.Alert)}); err != nil {
			return nil, fmt.Errorf("template: %w", err)
		}
		if !json.Valid(buf.Bytes()) {
			return nil, fmt.Errorf("template: alert %s: the rendering is not JSON", c.Alert.ID)
		}
		var compact bytes.Buffer
		json.Compact(&compact, buf.Bytes())
		return compact.Bytes(), nil
	}, nil
}
