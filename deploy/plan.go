package deploy

import (
	"fmt"
	"io"
	"strings"
)

// PlanSummary counts a plan's resources by what would happen to them.
type PlanSummary struct {
	Create   int `json:"create"`
	Update   int `json:"update"`
	Delete   int `json:"delete"`
	NoChange int `json:"no_change"`
	Other    int `json:"other"` // queries, commands, scripts, skipped resources
}

// PlanResource is one resource of a plan, as data.
type PlanResource struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Action Action `json:"action"`
	// Changes are the properties an update would change: current → desired.
	Changes []Change `json:"changes,omitempty"`
	// Statement is the create, update or createorupdate build would send.
	Statement string `json:"statement,omitempty"`
	Note      string `json:"note,omitempty"`
}

// PlanDoc is a plan as data (ccql deploy plan -o json): what each resource
// would become, the properties an update changes, and the counts. Secrets
// are masked; no export value is included.
type PlanDoc struct {
	Stack     string         `json:"stack"`
	Env       string         `json:"env"`
	Teardown  bool           `json:"teardown,omitempty"`
	Resources []PlanResource `json:"resources"`
	Summary   PlanSummary    `json:"summary"`
}

// Plan returns the plan of a Result of Stack.Plan as data.
func (r *Result) Plan() PlanDoc {
	doc := PlanDoc{Stack: r.Stack, Env: r.Env, Teardown: r.Teardown, Resources: []PlanResource{}}
	for _, rr := range r.Resources {
		doc.Resources = append(doc.Resources, PlanResource{Name: rr.Name, Type: rr.Type, Action: rr.Action, Changes: rr.Changes, Statement: rr.Statement, Note: rr.Note})
		switch rr.Action {
		case ActionCreate:
			doc.Summary.Create++
		case ActionUpdate, ActionCreateOrUpdate:
			doc.Summary.Update++
		case ActionDelete:
			doc.Summary.Delete++
		case ActionNoChange:
			doc.Summary.NoChange++
		default:
			doc.Summary.Other++
		}
	}
	return doc
}

// WritePlan prints a plan for a person: one line per resource with what
// build would do to it (create, update, no change; delete in a plan of
// teardown), under an update the properties that differ as
// "property: current → desired", and the counts.
func (r *Result) WritePlan(w io.Writer) error {
	doc := r.Plan()
	width := 0
	for _, pr := range doc.Resources {
		width = max(width, len(pr.Name))
	}
	var b strings.Builder
	for _, pr := range doc.Resources {
		what := string(pr.Action)
		switch pr.Action {
		case ActionQueried:
			what = "query: read on every run"
		case ActionRun:
			what = "command: runs on every build"
		}
		if pr.Type == TypeMulti {
			what += " (multi)"
		}
		fmt.Fprintf(&b, "%s %-*s  %s\n", planMark(pr.Action), width, pr.Name, what)
		for _, c := range pr.Changes {
			fmt.Fprintf(&b, "      %s\n", c)
		}
		if pr.Note != "" && pr.Action != ActionRun {
			fmt.Fprintf(&b, "      (%s)\n", pr.Note)
		}
	}
	s := doc.Summary
	if doc.Teardown {
		fmt.Fprintf(&b, "Plan: %d to delete, %d unchanged.\n", s.Delete, s.NoChange)
	} else {
		fmt.Fprintf(&b, "Plan: %d to create, %d to update, %d unchanged.\n", s.Create, s.Update, s.NoChange)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func planMark(a Action) string {
	switch a {
	case ActionCreate:
		return "+"
	case ActionUpdate, ActionCreateOrUpdate:
		return "~"
	case ActionDelete:
		return "-"
	}
	return " "
}
