package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/live"
)

// Subscription transports: graphql-ws (the graphql-transport-ws protocol,
// and the older subscriptions-transport-ws) over a WebSocket, and
// Server-Sent Events. They carry subscriptions only; queries and mutations
// go by GET and POST, where the request limits apply.

// StreamLimits bound subscriptions.
type StreamLimits struct {
	// PerConnection is how many subscriptions one WebSocket may run at once.
	PerConnection int
	// PerKey is how many subscriptions one API key may run at once, over
	// every connection to this process.
	PerKey int
	// InitTimeout is how long a WebSocket may take to send connection_init.
	InitTimeout time.Duration
	// KeepAlive is how often the server pings an idle WebSocket (and, over
	// SSE, sends a comment line) so that proxies keep it open.
	KeepAlive time.Duration
}

// DefaultStreamLimits are a server's.
var DefaultStreamLimits = StreamLimits{PerConnection: 20, PerKey: 100, InitTimeout: 10 * time.Second, KeepAlive: 15 * time.Second}

type streamingKey struct{}

// streams sends event-stream requests to sse, WebSocket upgrades to ws,
// and the others to next.
func streams(next, sse, ws http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		streaming := func(h http.Handler) {
			h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), streamingKey{}, true)))
		}
		switch {
		case strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
			streaming(ws)
		case r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "text/event-stream"):
			streaming(sse)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// websocketTransport is graphql-ws with authentication in connection_init's
// payload ({"Authorization": "Bearer <key>"}, since browsers cannot set
// headers on a WebSocket), the Origin checked against the CORS origins, and
// the limits.
func websocketTransport(client *ent.Client, publicRead bool, origins []string, l StreamLimits, log *slog.Logger) transport.Websocket {
	accept := coderws.AcceptOptions{}
	for _, o := range origins {
		if o == "*" {
			accept.InsecureSkipVerify = true // any origin, as CORS allows
			continue
		}
		accept.OriginPatterns = append(accept.OriginPatterns, o)
	}
	return transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: accept},
		InitTimeout:    l.InitTimeout,
		// graphql-transport-ws: ping, and a client that answers no pong
		// within twice the interval is gone
		PingPongInterval: l.KeepAlive,
		// subscriptions-transport-ws: keep-alive messages
		KeepAlivePingInterval: l.KeepAlive,
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			ctx = context.WithValue(ctx, connectionKey{}, &connection{})
			header := p.Authorization()
			if header == "" {
				header = p.GetString("authorization")
			}
			if header == "" {
				if a := auth.FromContext(ctx); a != nil && a.Role != auth.Anonymous {
					return ctx, nil, nil // authenticated by the upgrade's header
				}
				if !publicRead {
					return nil, nil, errors.New("an API key is required: send {\"Authorization\": \"Bearer <key>\"} in connection_init's payload")
				}
				return auth.WithActor(ctx, &auth.Actor{Role: auth.Anonymous}), nil, nil
			}
			scheme, secret, _ := strings.Cut(header, " ")
			secret = strings.TrimSpace(secret)
			if !strings.EqualFold(scheme, "Bearer") || !auth.LooksLikeSecret(secret) {
				return nil, nil, errors.New("Authorization must be Bearer <key>, with a key issued by this server")
			}
			actor, err := lookupKey(ctx, client, log, secret)
			if err != nil {
				if ae, ok := apperr.As(err); ok {
					return nil, nil, errors.New(ae.Message)
				}
				log.ErrorContext(ctx, "api key lookup failed", "error", err)
				return nil, nil, errors.New("the API key could not be checked; try again")
			}
			return auth.WithActor(ctx, actor), nil, nil
		},
	}
}

type connectionKey struct{}

// connection counts a WebSocket's subscriptions.
type connection struct{ subscriptions live.Counter }

// streamOnly is the handler extension that keeps subscriptions on the
// streaming transports and everything else off them, and applies the
// subscription limits.
type streamOnly struct {
	limits StreamLimits
	keys   *live.Keys
}

var (
	_ graphql.HandlerExtension     = streamOnly{}
	_ graphql.OperationInterceptor = streamOnly{}
)

func (streamOnly) ExtensionName() string                   { return "StreamOnly" }
func (streamOnly) Validate(graphql.ExecutableSchema) error { return nil }

// CodeSubscriptionTransport is the code of an operation sent on the wrong
// transport.
const CodeSubscriptionTransport = "WRONG_TRANSPORT"

// CodeTooManySubscriptions is the code of a subscription over a limit.
const CodeTooManySubscriptions = "TOO_MANY_SUBSCRIPTIONS"

func (s streamOnly) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil {
		return next(ctx)
	}
	streaming, _ := ctx.Value(streamingKey{}).(bool)
	isSub := oc.Operation.Operation == ast.Subscription
	switch {
	case isSub && !streaming:
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: "subscriptions run over graphql-ws (a WebSocket to /graphql) or Server-Sent Events (POST with Accept: text/event-stream)", Extensions: map[string]any{"code": CodeSubscriptionTransport}}}})
	case !isSub && streaming:
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: "send queries and mutations by GET or POST; the streaming transports carry subscriptions only", Extensions: map[string]any{"code": CodeSubscriptionTransport}}}})
	case !isSub:
		return next(ctx)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	var release []func()
	refuse := func(msg string) graphql.ResponseHandler {
		for _, r := range release {
			r()
		}
		cancel(nil)
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": CodeTooManySubscriptions}}}})
	}
	if c, ok := ctx.Value(connectionKey{}).(*connection); ok {
		if !c.subscriptions.Acquire(s.limits.PerConnection) {
			return refuse("this connection runs its most subscriptions at once already")
		}
		release = append(release, c.subscriptions.Release)
	}
	if a := auth.FromContext(ctx); a != nil && a.KeyID != 0 {
		r, ok := s.keys.Acquire(a.KeyID, s.limits.PerKey, func() { cancel(live.ErrKeyRevoked) })
		if !ok {
			return refuse("this API key runs its most subscriptions at once already")
		}
		release = append(release, r)
	}
	var once sync.Once
	end := func() {
		once.Do(func() {
			for _, f := range release {
				f()
			}
		})
	}
	// however the subscription ends: its stream done, or its client gone
	stop := context.AfterFunc(ctx, end)
	responses := next(ctx)
	return func(rctx context.Context) *graphql.Response {
		r := responses(rctx)
		if r == nil {
			stop()
			end()
			cancel(nil)
		}
		return r
	}
}

// endlessWrites lifts the server's write timeout for an event stream: it
// bounds a whole response, and a subscription's lasts as long as the
// client stays (keep-alives find a client that went away).
func endlessWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
		next.ServeHTTP(w, r)
	})
}
