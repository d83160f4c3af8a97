package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/jobs"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/work"
)

// jobRunner is the background job runner of a serve process, with every
// job kind registered.
func (m *Main) jobRunner(st *store.Store, workers int) *jobs.Runner {
	r := jobs.New(st, jobs.Config{Workers: workers, Clock: m.Now, Logger: m.Logger})
	work.Register(r, st)
	return r
}

// jobCommands returns `rollcall jobs`: the background jobs that serve runs.
func (m *Main) jobCommands() []*cobra.Command {
	root := &cobra.Command{
		Use:   "jobs",
		Short: "List, show and cancel the background jobs that `serve` runs",
		Long: "Background jobs (estimates, full relinks, amnesty evaluations) are asked for in the web UI\n" +
			"or the API and run by whichever `rollcall serve` process claims them first (--workers).",
		Args: cobra.NoArgs,
	}
	var format, status, kind string
	var limit int
	list := &cobra.Command{
		Use:   "list [--status queued|running|done|failed|cancelled] [--kind KIND]",
		Short: "List jobs, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withStore(cmd, openOpts{plain: true}, func(ctx context.Context, st *store.Store) error {
				o := rollcall.ListOptions{Limit: limit, Filters: map[string]string{}}
				if status != "" {
					o.Filters["status"] = status
				}
				if kind != "" {
					o.Filters["kind"] = kind
				}
				items, _, err := jobs.New(st, jobs.Config{Clock: m.Now}).List(ctx, o)
				if err != nil {
					return err
				}
				t := table{header: []string{"id", "kind", "status", "progress", "actor", "created", "error"}}
				for _, j := range items {
					t.rows = append(t.rows, []string{strconv.FormatInt(j.ID, 10), j.Kind, j.Status, progressText(j.Progress),
						j.Actor, j.CreatedAt.Format("2006-01-02 15:04:05Z"), j.Error})
				}
				return m.render(format, items, t)
			})
		},
	}
	list.Flags().StringVar(&format, "format", "table", "table, json or csv")
	list.Flags().StringVar(&status, "status", "", "only jobs with this status")
	list.Flags().StringVar(&kind, "kind", "", "only jobs of this kind")
	list.Flags().IntVar(&limit, "limit", 50, "at most this many")
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one job with its parameters, progress and result",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := jobID(args[0])
			if err != nil {
				return err
			}
			return m.withStore(cmd, openOpts{plain: true}, func(ctx context.Context, st *store.Store) error {
				j, err := st.GetJob(ctx, id)
				if err != nil {
					return err
				}
				return m.renderOne(j)
			})
		},
	}
	cancel := &cobra.Command{
		Use:   "cancel ID",
		Short: "Cancel a queued job, or ask the process running it to stop",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := jobID(args[0])
			if err != nil {
				return err
			}
			return m.withStore(cmd, openOpts{plain: true}, func(ctx context.Context, st *store.Store) error {
				j, err := jobs.New(st, jobs.Config{Clock: m.Now}).Cancel(ctx, id)
				if err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "job %d: %s%s\n", j.ID, j.Status, map[bool]string{true: " (stop requested)"}[j.CancelRequested])
				return nil
			})
		},
	}
	root.AddCommand(list, show, cancel)
	return []*cobra.Command{root}
}

func jobID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, rollcall.Errorf(rollcall.EINVALID, "job id %q: want a positive whole number", s)
	}
	return id, nil
}

// progressText is "3/10 message", "3 message" when the total is unknown.
func progressText(p store.JobProgress) string {
	s := strconv.FormatInt(p.Done, 10)
	if p.Total > 0 {
		s += "/" + strconv.FormatInt(p.Total, 10)
	}
	return strings.TrimSpace(s + " " + p.Message)
}
