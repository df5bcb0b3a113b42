package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// exportQuery reads one page of projects with every exported field. The
// participations of a project come with it, a hundred at most; a project
// with more has the rest fetched by participationsQuery.
const exportQuery = `query($where: ProjectWhereInput, $after: Cursor) {
  projects(first: 100, after: $after, where: $where) {
    pageInfo { hasNextPage endCursor }
    edges { node { id externalRef title sector status greenCategory amount currency amountUsd commitmentYear
      signedOn startedOn completedOn city latitude longitude locationPrecision hostCountry { countryCode }
      countsInAggregates umbrella parent { externalRef } groupRef flowType flowClass interestRate maturityYears gracePeriodYears grantElement
      participations(first: 100) { pageInfo { hasNextPage endCursor } edges { node { role partner { name } } } } } }
  }
}`

// participationsQuery reads the participations of one project after a cursor.
const participationsQuery = `query($id: ID!, $after: Cursor) {
  node(id: $id) { ... on Project { participations(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { role partner { name } } } } } }
}`

// ExportColumns are the fields of an exported project: the CSV header, and
// the keys of each JSON object.
var ExportColumns = []string{"id", "externalRef", "title", "sector", "status", "greenCategory", "amount", "currency", "amountUsd",
	"commitmentYear", "signedOn", "startedOn", "completedOn", "city", "latitude", "longitude", "locationPrecision", "hostCountryCode", "participants",
	"countsInAggregates", "umbrella", "parentRef", "groupRef", "flowType", "flowClass", "interestRate", "maturityYears", "gracePeriodYears", "grantElement"}

// ExportFormats are the formats projects export to, with their media types.
var ExportFormats = map[string]string{"csv": "text/csv; charset=utf-8", "json": "application/json"}

// ExportProjects writes the projects matching where (a ProjectWhereInput,
// as the projects query takes; nil for all) to w as CSV or JSON, page by
// page through an in-process GraphQL handler built from o, so that the
// command line exports exactly what the API serves. The in-process requests
// carry no API key: o.PublicRead must be on (Defaults has it), and they read
// as the public does. Memory stays bounded by a page.
func ExportProjects(ctx context.Context, o Options, format string, where map[string]any, w io.Writer) error {
	if _, ok := ExportFormats[format]; !ok {
		return fmt.Errorf("export format %q: want csv or json", format)
	}
	h, err := New(o)
	if err != nil {
		return err
	}
	var vars map[string]any
	if where != nil {
		vars = map[string]any{"where": where}
	}
	err = writeProjects(ctx, pager{gql: h, timeout: o.RequestTimeout}, format, vars, w, func() {})
	var gqlErr *graphQLError
	if errors.As(err, &gqlErr) {
		return fmt.Errorf("export refused (HTTP %d): %s", gqlErr.status, strings.TrimSpace(string(gqlErr.body)))
	}
	return err
}

// exportProjects answers GET /export/projects.csv and /export/projects.json
// with the projects matching the `where` parameter (JSON, as the projects
// query's where), streamed page by page with the caller's permissions. A
// filter the API refuses gets its errors and status 400 before anything is
// streamed.
func exportProjects(p pager, log *slog.Logger, format string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "use GET")
			return
		}
		where, err := exportFilter(r)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BAD_USER_INPUT", err.Error())
			return
		}
		var vars map[string]any
		if len(where) > 0 {
			vars = map[string]any{"where": map[string]any{"and": where}}
		}
		started := false
		err = writeProjects(r.Context(), p, format, vars, w, func() {
			w.Header().Set("Content-Type", ExportFormats[format])
			w.Header().Set("Content-Disposition", `attachment; filename="projects.`+format+`"`)
			started = true
		})
		var gqlErr *graphQLError
		switch {
		case err == nil:
		case errors.As(err, &gqlErr) && !started:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(gqlErr.status)
			_, _ = w.Write(gqlErr.body)
		case !started:
			log.ErrorContext(r.Context(), "export failed", "error", err)
			writeError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "the export failed")
		default:
			// The status is sent: break the connection rather than end the
			// body, so that the client cannot take a cut export for a whole one.
			log.ErrorContext(r.Context(), "export stopped", "error", err)
			panic(http.ErrAbortHandler)
		}
	})
}

// writeProjects runs the export query page by page and encodes each page as
// it comes. begin is called once, before the first byte: a filter the API
// refuses fails the first page, before anything is written.
func writeProjects(ctx context.Context, p pager, format string, vars map[string]any, w io.Writer, begin func()) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := newEncoder(format, bw)
	started := false
	start := func() error {
		if !started {
			started = true
			begin()
			return enc.begin()
		}
		return nil
	}
	err := p.each(ctx, exportQuery, "projects", vars, func(edges []json.RawMessage) error {
		if err := start(); err != nil {
			return err
		}
		for _, e := range edges {
			row, err := decodeProject(ctx, p, e)
			if err != nil {
				return err
			}
			if err := enc.project(row); err != nil {
				return err
			}
		}
		return bw.Flush() // page by page: the client sees progress, memory stays bounded
	})
	if err != nil {
		return err
	}
	if err := start(); err != nil {
		return err
	}
	if err := enc.end(); err != nil {
		return err
	}
	return bw.Flush()
}

// exportedProject is one project as exported.
type exportedProject struct {
	ID                 string                `json:"id"`
	ExternalRef        *string               `json:"externalRef"`
	Title              string                `json:"title"`
	Sector             string                `json:"sector"`
	Status             string                `json:"status"`
	GreenCategory      string                `json:"greenCategory"`
	Amount             *string               `json:"amount"`
	Currency           *string               `json:"currency"`
	AmountUsd          *string               `json:"amountUsd"`
	CommitmentYear     *int                  `json:"commitmentYear"`
	SignedOn           *string               `json:"signedOn"`
	StartedOn          *string               `json:"startedOn"`
	CompletedOn        *string               `json:"completedOn"`
	City               *string               `json:"city"`
	Latitude           json.RawMessage       `json:"latitude"` // the API's number, digit for digit
	Longitude          json.RawMessage       `json:"longitude"`
	LocationPrecision  *string               `json:"locationPrecision"`
	HostCountryCode    *string               `json:"hostCountryCode"`
	Participants       []exportedParticipant `json:"participants"`
	CountsInAggregates bool                  `json:"countsInAggregates"`
	Umbrella           bool                  `json:"umbrella"`
	ParentRef          *string               `json:"parentRef"`
	GroupRef           *string               `json:"groupRef"`
	FlowType           *string               `json:"flowType"`
	FlowClass          *string               `json:"flowClass"`
	InterestRate       *string               `json:"interestRate"`
	MaturityYears      *string               `json:"maturityYears"`
	GracePeriodYears   *string               `json:"gracePeriodYears"`
	GrantElement       *string               `json:"grantElement"`
}

// exportedParticipant is a partner's part in an exported project.
type exportedParticipant struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// participationsPage is a page of a project's participations.
type participationsPage struct {
	PageInfo struct {
		HasNextPage bool    `json:"hasNextPage"`
		EndCursor   *string `json:"endCursor"`
	} `json:"pageInfo"`
	Edges []struct {
		Node struct {
			Role    string `json:"role"`
			Partner struct {
				Name string `json:"name"`
			} `json:"partner"`
		} `json:"node"`
	} `json:"edges"`
}

func (pp *participationsPage) add(to []exportedParticipant) []exportedParticipant {
	for _, e := range pp.Edges {
		to = append(to, exportedParticipant{Name: e.Node.Partner.Name, Role: e.Node.Role})
	}
	return to
}

// decodeProject turns a project edge into an exported project, fetching
// the participations beyond the first hundred.
func decodeProject(ctx context.Context, p pager, edge json.RawMessage) (*exportedProject, error) {
	var e struct {
		Node struct {
			exportedProject
			HostCountry *struct {
				CountryCode *string `json:"countryCode"`
			} `json:"hostCountry"`
			Parent *struct {
				ExternalRef *string `json:"externalRef"`
			} `json:"parent"`
			Participations participationsPage `json:"participations"`
		} `json:"node"`
	}
	if err := json.Unmarshal(edge, &e); err != nil {
		return nil, fmt.Errorf("export: decode a project: %w", err)
	}
	out := e.Node.exportedProject
	if hc := e.Node.HostCountry; hc != nil {
		out.HostCountryCode = hc.CountryCode
	}
	if pa := e.Node.Parent; pa != nil {
		out.ParentRef = pa.ExternalRef
	}
	out.Participants = e.Node.Participations.add([]exportedParticipant{})
	for page := e.Node.Participations; page.PageInfo.HasNextPage && page.PageInfo.EndCursor != nil; {
		var next struct {
			Node struct {
				Participations participationsPage `json:"participations"`
			} `json:"node"`
		}
		if err := p.data(ctx, participationsQuery, map[string]any{"id": out.ID, "after": *page.PageInfo.EndCursor}, &next); err != nil {
			return nil, err
		}
		page = next.Node.Participations
		out.Participants = page.add(out.Participants)
	}
	return &out, nil
}

// data runs one query through the GraphQL handler and decodes its data.
func (p pager) data(ctx context.Context, query string, vars map[string]any, v any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	held := newHeld()
	p.gql.ServeHTTP(held, req)
	var res struct {
		Data   json.RawMessage   `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(held.body.Bytes(), &res); err != nil || held.status != http.StatusOK || len(res.Errors) > 0 {
		return &graphQLError{status: max(held.status, http.StatusBadRequest), body: held.body.Bytes()}
	}
	return json.Unmarshal(res.Data, v)
}

// projectEncoder writes exported projects in one format.
type projectEncoder interface {
	begin() error
	project(*exportedProject) error
	end() error
}

func newEncoder(format string, w *bufio.Writer) projectEncoder {
	if format == "json" {
		return &jsonEncoder{w: w}
	}
	return &csvEncoder{w: csv.NewWriter(w)}
}

// csvEncoder writes a header row, then a row a project; empty cells for
// missing values, participants as name:ROLE|name:ROLE.
type csvEncoder struct{ w *csv.Writer }

func (e *csvEncoder) begin() error { return e.w.Write(ExportColumns) }

func (e *csvEncoder) project(p *exportedProject) error {
	parts := make([]string, len(p.Participants))
	for i, pp := range p.Participants {
		parts[i] = pp.Name + ":" + pp.Role
	}
	year := ""
	if p.CommitmentYear != nil {
		year = strconv.Itoa(*p.CommitmentYear)
	}
	err := e.w.Write([]string{p.ID, str(p.ExternalRef), p.Title, p.Sector, p.Status, p.GreenCategory, str(p.Amount), str(p.Currency),
		str(p.AmountUsd), year, str(p.SignedOn), str(p.StartedOn), str(p.CompletedOn), str(p.City), number(p.Latitude),
		number(p.Longitude), str(p.LocationPrecision), str(p.HostCountryCode), strings.Join(parts, "|"),
		strconv.FormatBool(p.CountsInAggregates), strconv.FormatBool(p.Umbrella), str(p.ParentRef), str(p.GroupRef), str(p.FlowType),
		str(p.FlowClass), str(p.InterestRate), str(p.MaturityYears), str(p.GracePeriodYears), str(p.GrantElement)})
	if err != nil {
		return err
	}
	e.w.Flush() // into the page's buffer, which writeProjects flushes
	return e.w.Error()
}

func (e *csvEncoder) end() error {
	e.w.Flush()
	return e.w.Error()
}

// jsonEncoder writes an array of objects, one a line.
type jsonEncoder struct {
	w *bufio.Writer
	n int
}

func (e *jsonEncoder) begin() error {
	_, err := e.w.WriteString("[")
	return err
}

func (e *jsonEncoder) project(p *exportedProject) error {
	sep := ",\n"
	if e.n == 0 {
		sep = "\n"
	}
	e.n++
	if _, err := e.w.WriteString(sep); err != nil {
		return err
	}
	if len(p.Latitude) == 0 {
		p.Latitude = json.RawMessage("null")
	}
	if len(p.Longitude) == 0 {
		p.Longitude = json.RawMessage("null")
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = e.w.Write(b)
	return err
}

func (e *jsonEncoder) end() error {
	_, err := e.w.WriteString("\n]\n")
	return err
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// number is a JSON number's text, "" for null.
func number(raw json.RawMessage) string {
	if s := string(raw); s != "null" {
		return s
	}
	return ""
}
