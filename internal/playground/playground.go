// Package playground serves GraphiQL entirely from the binary: the page, its
// JavaScript and CSS (pinned npm packages, see package.json and build.sh), the
// explorer plugin, and saved example operations. Nothing loads from another
// host.
package playground

import (
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
)

//go:embed assets
var assets embed.FS

//go:embed examples/*.graphql
var examples embed.FS

// Example is a saved operation the playground opens with, one tab each.
type Example struct {
	Query     string `json:"query"`
	Variables string `json:"variables,omitempty"`
}

// Examples returns the saved example operations, in file name order.
func Examples() ([]Example, error) {
	entries, err := fs.ReadDir(examples, "examples")
	if err != nil {
		return nil, err
	}
	out := make([]Example, 0, len(entries))
	for _, e := range entries {
		b, err := examples.ReadFile("examples/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Example{Query: string(b)})
	}
	return out, nil
}

var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BRI Tracker GraphQL playground</title>
<link rel="stylesheet" href="{{.Base}}assets/graphiql.min.css">
<link rel="stylesheet" href="{{.Base}}assets/graphiql-plugin-explorer.css">
<style>body{margin:0;height:100vh;overflow:hidden}#graphiql{height:100vh}</style>
</head>
<body>
<div id="graphiql">Loading the playground…</div>
<script src="{{.Base}}assets/react.production.min.js"></script>
<script src="{{.Base}}assets/react-dom.production.min.js"></script>
<script src="{{.Base}}assets/graphiql.min.js"></script>
<script src="{{.Base}}assets/graphiql-plugin-explorer.umd.js"></script>
<script>
  const tabs = JSON.parse({{.Tabs}});
  const url = {{.Endpoint}};
  const httpFetcher = GraphiQL.createFetcher({ url });
  // Subscriptions run over Server-Sent Events (POST with Accept:
  // text/event-stream), with the headers of the headers editor; each
  // "next" event is one result, and stopping the run closes the stream.
  function isSubscription(params) {
    try {
      const doc = GraphiQL.GraphQL.parse(params.query);
      const ops = doc.definitions.filter((d) => d.kind === "OperationDefinition");
      const op = params.operationName ? ops.find((d) => d.name && d.name.value === params.operationName) : ops[0];
      return !!op && op.operation === "subscription";
    } catch (e) {
      return false;
    }
  }
  async function* subscribe(params, opts) {
    const abort = new AbortController();
    try {
      const res = await fetch(url, {
        method: "POST",
        signal: abort.signal,
        headers: Object.assign({ "Content-Type": "application/json", Accept: "text/event-stream" }, (opts && opts.headers) || {}),
        body: JSON.stringify(params),
      });
      if (!(res.headers.get("Content-Type") || "").startsWith("text/event-stream")) {
        yield await res.json();
        return;
      }
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffered = "", event = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += decoder.decode(value, { stream: true });
        let i;
        while ((i = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, i).replace(/\r$/, "");
          buffered = buffered.slice(i + 1);
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:") && event === "next") yield JSON.parse(line.slice(5));
          else if (line === "" && event === "complete") return;
        }
      }
    } finally {
      abort.abort();
    }
  }
  const fetcher = (params, opts) => (isSubscription(params) ? subscribe(params, opts) : httpFetcher(params, opts));
  // The explorer: builds a query by ticking fields and arguments.
  const explorer = GraphiQLPluginExplorer.explorerPlugin();
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  // The logo links to the dashboard, served by the same server.
  const logo = React.createElement(GraphiQL.Logo, null,
    "BRI Tracker · ", React.createElement("a", { href: {{.Dashboard}}, className: "dashboard-link" }, "Dashboard"));
  root.render(React.createElement(GraphiQL, {
    fetcher,
    plugins: [explorer],
    defaultTabs: tabs,
    defaultQuery: tabs.length ? tabs[0].query : undefined,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
  }, logo));
</script>
</body>
</html>
`))

// Handler serves the playground page at its root and the assets below it.
// base is the path it is mounted at (ending in "/"), endpoint the GraphQL URL.
func Handler(base, endpoint string) (http.Handler, error) {
	ex, err := Examples()
	if err != nil {
		return nil, err
	}
	tabs, err := json.Marshal(ex)
	if err != nil {
		return nil, err
	}
	data := struct {
		Base, Endpoint, Tabs, Dashboard string
	}{base, endpoint, string(tabs), "/dashboard"}
	static := http.StripPrefix(base, http.FileServer(http.FS(assets)))
	mux := http.NewServeMux()
	mux.Handle("GET "+base+"assets/", cacheFor(static))
	mux.HandleFunc("GET "+base+"{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'")
		_ = page.Execute(w, data)
	})
	return mux, nil
}

func cacheFor(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}
