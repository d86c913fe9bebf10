package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	spec "practica/api"
	"practica/internal/api"
	"practica/internal/httpx"
)

// openAPI is api/openapi.yaml, parsed, with just enough JSON Schema to check
// the responses the tests receive against it.
type openAPI struct {
	doc   map[string]any
	paths []specPath
}

type specPath struct {
	template string
	re       *regexp.Regexp
	item     map[string]any
}

var parseSpec = sync.OnceValues(func() (*openAPI, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(spec.OpenAPI, &doc); err != nil {
		return nil, err
	}
	o := &openAPI{doc: doc}
	paths, _ := doc["paths"].(map[string]any)
	param := regexp.MustCompile(`\\\{[^}]+\\\}`)
	for tmpl, item := range paths {
		m, _ := item.(map[string]any)
		re := regexp.MustCompile("^" + param.ReplaceAllString(regexp.QuoteMeta(tmpl), `[^/]+`) + "$")
		o.paths = append(o.paths, specPath{template: tmpl, re: re, item: m})
	}
	return o, nil
})

func loadSpec(t testing.TB) *openAPI {
	t.Helper()
	o, err := parseSpec()
	if err != nil {
		t.Fatalf("parse api/openapi.yaml: %v", err)
	}
	return o
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

// lookup follows a local reference such as #/components/schemas/Topic.
func (o *openAPI) lookup(ref string) (map[string]any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("reference %q is not local", ref)
	}
	var node any = o.doc
	for _, part := range strings.Split(ref[2:], "/") {
		node = asMap(node)[part]
		if node == nil {
			return nil, fmt.Errorf("reference %q does not resolve", ref)
		}
	}
	return asMap(node), nil
}

// deref follows $ref until it reaches a definition.
func (o *openAPI) deref(m map[string]any) map[string]any {
	for i := 0; i < 10; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		next, err := o.lookup(ref)
		if err != nil {
			return map[string]any{"x-broken-ref": ref}
		}
		m = next
	}
	return m
}

// schema resolves references and merges allOf parts into one object schema.
func (o *openAPI) schema(s map[string]any) map[string]any {
	s = o.deref(s)
	parts, ok := s["allOf"].([]any)
	if !ok {
		return s
	}
	props, required := map[string]any{}, []any{}
	for _, p := range parts {
		r := o.schema(asMap(p))
		for k, v := range asMap(r["properties"]) {
			props[k] = v
		}
		if req, ok := r["required"].([]any); ok {
			required = append(required, req...)
		}
	}
	return map[string]any{"type": "object", "properties": props, "required": required}
}

// operation finds the spec's operation for a concrete request.
func (o *openAPI) operation(method, path string) (map[string]any, string) {
	path, _, _ = strings.Cut(path, "?")
	for _, p := range o.paths {
		if p.re.MatchString(path) {
			return asMap(p.item[strings.ToLower(method)]), p.template
		}
	}
	return nil, ""
}

// checkResponse reports how a response differs from what the spec declares
// for its operation and status.
func (o *openAPI) checkResponse(method, path string, rec *httptest.ResponseRecorder) []string {
	op, tmpl := o.operation(method, path)
	if op == nil {
		return []string{fmt.Sprintf("the spec has no operation %s %s", method, path)}
	}
	resp := asMap(asMap(op["responses"])[strconv.Itoa(rec.Code)])
	if resp == nil {
		return []string{fmt.Sprintf("%s %s does not declare status %d", method, tmpl, rec.Code)}
	}
	content := asMap(o.deref(resp)["content"])
	if content == nil {
		if rec.Body.Len() != 0 {
			return []string{fmt.Sprintf("status %d is declared without a body, got %s", rec.Code, short(rec.Body.String()))}
		}
		return nil
	}
	ct := rec.Header().Get("Content-Type")
	if asMap(content["application/json"]) == nil {
		for media := range content {
			if strings.HasPrefix(ct, media) {
				return nil
			}
		}
		return []string{fmt.Sprintf("Content-Type %q is not among the declared %v", ct, content)}
	}
	if !strings.HasPrefix(ct, "application/json") {
		return []string{fmt.Sprintf("Content-Type %q, want application/json", ct)}
	}
	var body any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		return []string{fmt.Sprintf("body is not JSON: %v", err)}
	}
	return o.validate(asMap(asMap(content["application/json"])["schema"]), body, "$")
}

// validate checks v against a schema, strictly: an object property the schema
// does not list is an error even where the spec leaves objects open, so the
// spec has to document every field the server sends.
func (o *openAPI) validate(s map[string]any, v any, at string) []string {
	s = o.schema(s)
	if ref, ok := s["x-broken-ref"]; ok {
		return []string{fmt.Sprintf("%s: broken $ref %v", at, ref)}
	}
	var errs []string
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
	}
	types := schemaTypes(s)
	is := func(name string) bool { return len(types) == 0 || slices.Contains(types, name) }
	switch val := v.(type) {
	case nil:
		if !is("null") || len(types) == 0 {
			errs = append(errs, fmt.Sprintf("%s: null, want %v", at, types))
		}
	case string:
		if !is("string") {
			errs = append(errs, fmt.Sprintf("%s: string %q, want %v", at, val, types))
		} else if s["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, val); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q is not a date-time", at, val))
			}
		}
	case float64:
		if !(is("number") || is("integer") && val == math.Trunc(val)) {
			errs = append(errs, fmt.Sprintf("%s: number %v, want %v", at, val, types))
		}
	case bool:
		if !is("boolean") {
			errs = append(errs, fmt.Sprintf("%s: boolean, want %v", at, types))
		}
	case []any:
		if !is("array") {
			errs = append(errs, fmt.Sprintf("%s: array, want %v", at, types))
			break
		}
		for i, item := range val {
			errs = append(errs, o.validate(asMap(s["items"]), item, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case map[string]any:
		if !is("object") {
			errs = append(errs, fmt.Sprintf("%s: object, want %v", at, types))
			break
		}
		errs = append(errs, o.validateObject(s, val, at)...)
	}
	return errs
}

func (o *openAPI) validateObject(s map[string]any, val map[string]any, at string) []string {
	var errs []string
	props := asMap(s["properties"])
	for _, r := range asSlice(s["required"]) {
		if _, ok := val[fmt.Sprint(r)]; !ok {
			errs = append(errs, fmt.Sprintf("%s: required property %q is missing", at, r))
		}
	}
	keys := make([]string, 0, len(val))
	for k := range val {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch ps, extra := asMap(props[k]), asMap(s["additionalProperties"]); {
		case ps != nil:
			errs = append(errs, o.validate(ps, val[k], at+"."+k)...)
		case extra != nil:
			errs = append(errs, o.validate(extra, val[k], at+"."+k)...)
		default:
			errs = append(errs, fmt.Sprintf("%s: property %q is not in the spec", at, k))
		}
	}
	return errs
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func schemaTypes(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, len(t))
		for i, x := range t {
			out[i] = fmt.Sprint(x)
		}
		return out
	}
	return nil
}

var methods = []string{"get", "put", "post", "patch", "delete", "head", "options"}

// TestSpecMatchesRoutes keeps api/openapi.yaml and routes.go in step: every
// registered route is documented and every documented operation is served.
func TestSpecMatchesRoutes(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatalf("read routes.go: %v", err)
	}
	route := regexp.MustCompile(`mux\.Handle(?:Func)?\("([A-Z]+) (/api/v1/[^"]*)"`)
	registered := map[string]bool{}
	for _, m := range route.FindAllStringSubmatch(string(src), -1) {
		registered[m[1]+" "+m[2]] = true
	}
	// Every mux.Handle line is either a /api/v1 route or the "/api/" catch-all;
	// a route written some other way would slip past the regexp.
	if n := strings.Count(string(src), "mux.Handle"); n != len(registered)+1 {
		t.Fatalf("routes.go has %d mux.Handle calls but the regexp found %d routes plus the catch-all; update the regexp", n, len(registered))
	}
	o := loadSpec(t)
	documented := map[string]bool{}
	for _, p := range o.paths {
		for _, m := range methods {
			if p.item[m] != nil {
				documented[strings.ToUpper(m)+" "+p.template] = true
			}
		}
	}
	for r := range registered {
		if !documented[r] {
			t.Errorf("routes.go registers %q, which api/openapi.yaml does not document", r)
		}
	}
	for d := range documented {
		if !registered[d] {
			t.Errorf("api/openapi.yaml documents %q, which routes.go does not register", d)
		}
	}
}

// TestSpecIsWellFormed checks what a generator or a reader relies on: every
// $ref resolves, operation ids are unique, path parameters are declared,
// writes ask for the write scope, and every error response is the envelope.
func TestSpecIsWellFormed(t *testing.T) {
	t.Parallel()
	o := loadSpec(t)
	if v := fmt.Sprint(o.doc["openapi"]); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi: %q, want 3.1.x", v)
	}
	var walk func(node any, at string)
	walk = func(node any, at string) {
		switch n := node.(type) {
		case map[string]any:
			if ref, ok := n["$ref"].(string); ok {
				if _, err := o.lookup(ref); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
			for k, v := range n {
				walk(v, at+"/"+k)
			}
		case []any:
			for i, v := range n {
				walk(v, fmt.Sprintf("%s[%d]", at, i))
			}
		}
	}
	walk(o.doc, "#")

	ids := map[string]string{}
	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	for _, p := range o.paths {
		for _, m := range methods {
			op := asMap(p.item[m])
			if op == nil {
				continue
			}
			name := strings.ToUpper(m) + " " + p.template
			id := fmt.Sprint(op["operationId"])
			if prev, dup := ids[id]; dup || op["operationId"] == nil {
				t.Errorf("%s: operationId %q missing or also used by %s", name, id, prev)
			}
			ids[id] = name
			declared := map[string]bool{}
			for _, prm := range append(asSlice(p.item["parameters"]), asSlice(op["parameters"])...) {
				prm := o.deref(asMap(prm))
				if prm["in"] == "path" {
					declared[fmt.Sprint(prm["name"])] = true
				}
			}
			for _, want := range pathParam.FindAllStringSubmatch(p.template, -1) {
				if !declared[want[1]] {
					t.Errorf("%s: path parameter %q is not declared", name, want[1])
				}
			}
			if m != "get" && !strings.Contains(fmt.Sprint(op["security"]), "bearerAuth:[write]") {
				t.Errorf("%s: a write should require bearerAuth with the write scope, has security %v", name, op["security"])
			}
			for code, resp := range asMap(op["responses"]) {
				if !strings.HasPrefix(code, "4") {
					continue
				}
				s := asMap(asMap(asMap(o.deref(asMap(resp))["content"])["application/json"])["schema"])
				if s["$ref"] != "#/components/schemas/Error" {
					t.Errorf("%s: response %s is not the error envelope: %v", name, code, s)
				}
			}
		}
	}
}

// TestSpecSchemasMatchGoTypes compares each schema's properties with the json
// tags of the Go type the handlers encode or decode, so a renamed or added
// field shows up even when no test happens to send it.
func TestSpecSchemasMatchGoTypes(t *testing.T) {
	t.Parallel()
	o := loadSpec(t)
	tests := []struct {
		schema string
		goType any
	}{
		{"Space", api.Space{}},
		{"UserRef", api.UserRef{}},
		{"User", api.User{}},
		{"Topic", api.Topic{}},
		{"TopicDetail", api.TopicDetail{}},
		{"TopicList", api.TopicList{}},
		{"Post", api.Post{}},
		{"Revision", api.Revision{}},
		{"SpaceCreate", api.SpaceInput{}},
		{"SpaceUpdate", api.SpaceInput{}},
		{"TopicInput", api.TopicInput{}},
		{"EditInput", api.EditInput{}},
		{"JoinRequest", api.JoinRequest{}},
		{"Invite", api.Invite{}},
		{"NewInvite", api.NewInvite{}},
		{"Tag", api.Tag{}},
		{"VoteResult", api.VoteResult{}},
		{"TagDetail", api.TagDetail{}},
		{"SuggestedEdit", api.SuggestedEdit{}},
		{"Badge", api.Badge{}},
		{"BadgeAward", api.BadgeAward{}},
		{"ReputationEvent", api.ReputationEvent{}},
		{"Privilege", api.Privilege{}},
		{"ReputationRule", api.ReputationRule{}},
		{"SearchResult", api.SearchResult{}},
		{"SearchList", api.SearchList{}},
		{"SimilarList", api.SimilarList{}},
		{"Error", httpx.ErrorBody{}},
	}
	for _, tt := range tests {
		s, err := o.lookup("#/components/schemas/" + tt.schema)
		if err != nil {
			t.Errorf("schema %s: %v", tt.schema, err)
			continue
		}
		var inSpec []string
		for k := range asMap(o.schema(s)["properties"]) {
			inSpec = append(inSpec, k)
		}
		inGo := jsonFields(reflect.TypeOf(tt.goType))
		sort.Strings(inSpec)
		sort.Strings(inGo)
		if !slices.Equal(inSpec, inGo) {
			t.Errorf("schema %s has properties %v; Go type %T has json fields %v", tt.schema, inSpec, tt.goType, inGo)
		}
	}
	inner := asMap(asMap(asMap(asMap(o.doc["components"])["schemas"])["Error"])["properties"])["error"]
	var inSpec []string
	for k := range asMap(asMap(inner)["properties"]) {
		inSpec = append(inSpec, k)
	}
	sort.Strings(inSpec)
	if inGo := jsonFields(reflect.TypeOf(httpx.ErrorDetail{})); !slices.Equal(inSpec, inGo) {
		t.Errorf("schema Error.error has properties %v; httpx.ErrorDetail has json fields %v", inSpec, inGo)
	}
}

// jsonFields lists the JSON names of a struct's fields, flattening embedded structs.
func jsonFields(rt reflect.Type) []string {
	var out []string
	for i := range rt.NumField() {
		f := rt.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
		case f.Anonymous && name == "":
			out = append(out, jsonFields(f.Type)...)
		case name == "":
			out = append(out, f.Name)
		default:
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// TestSpecServed checks the contract is served as embedded, to guests and
// token holders alike.
func TestSpecServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, u := range []*string{nil, &e.Bob.Token} {
		authz := ""
		if u != nil {
			authz = "Bearer " + *u
		}
		rec := e.raw(t, authz, httptest.NewRequest("GET", "/api/v1/openapi.yaml", nil), http.StatusOK)
		if rec.Body.String() != string(spec.OpenAPI) {
			t.Errorf("GET /api/v1/openapi.yaml: body differs from the embedded api/openapi.yaml (%d vs %d bytes)", rec.Body.Len(), len(spec.OpenAPI))
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
			t.Errorf("GET /api/v1/openapi.yaml: Content-Type %q, want application/yaml", ct)
		}
	}
}
