package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
)

// ufsCmd is fsadmin ufs --mode: how Alluxio may use an under storage.
func ufsCmd() *cobra.Command {
	var mode string
	c := &cobra.Command{
		Use:   "ufs --mode readOnly|readWrite|noAccess UFS_URI",
		Short: "set the mode of an under storage: readOnly and noAccess refuse every change under its mounts",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if mode == "" {
				return fmt.Errorf("fsadmin ufs: --mode is required (readOnly, readWrite or noAccess)")
			}
			return withEnv(cmd, nil, func(ctx context.Context, env *fsEnv) error {
				if err := env.fs.UpdateUfsMode(ctx, args[0], mode); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Ufs mode of %s updated to %s\n", args[0], mode)
				return nil
			})
		},
	}
	c.Flags().StringVar(&mode, "mode", "", "readOnly, readWrite or noAccess")
	return c
}

// doctorChecks are what fsadmin doctor looks at, by category.
var doctorCategories = []string{"all", "configuration", "masters", "workers", "storage"}

// doctorCmd is fsadmin doctor: problems an operator should know about,
// one a line, or "No problems found". It exits with status 1 when it
// found any, so scripts and probes can act on it.
func doctorCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "doctor [all|configuration|masters|workers|storage]",
		Short:     "look for problems: configuration, masters disagreeing or behind, lost workers, full tiers, stuck under storage changes",
		Args:      cobra.MatchAll(cobra.MaximumNArgs(1), cobra.OnlyValidArgs),
		ValidArgs: doctorCategories,
		RunE: func(cmd *cobra.Command, args []string) error {
			what := "all"
			if len(args) == 1 {
				what = args[0]
			}
			return withEnv(cmd, nil, func(ctx context.Context, env *fsEnv) error {
				problems, err := diagnose(ctx, env, what, time.Now())
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				if len(problems) == 0 {
					fmt.Fprintln(out, "No problems found.")
					return nil
				}
				for _, p := range problems {
					fmt.Fprintln(out, p)
				}
				return exitCode(1)
			})
		},
	}
}

// doctorLagEntries is how far behind the leader a standby may be before
// doctor mentions it.
const doctorLagEntries = 10000

// doctorFullPercent is the use of a worker tier doctor calls full.
const doctorFullPercent = 95

// diagnose runs the checks of category what; each problem is one line
// starting with its category.
func diagnose(ctx context.Context, env *fsEnv, what string, now time.Time) ([]string, error) {
	var out []string
	add := func(category, format string, args ...any) {
		out = append(out, "["+category+"] "+fmt.Sprintf(format, args...))
	}
	want := func(c string) bool { return what == "all" || what == c }
	if want("configuration") {
		if err := env.props.Validate(); err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				add("configuration", "%s", line)
			}
		}
		for _, w := range env.props.Warnings() {
			add("configuration", "%s", w)
		}
	}
	if want("masters") {
		mi, err := masterInfo(ctx, env)
		if err != nil {
			return nil, err
		}
		var leaderSeq uint64
		primaries, ids := 0, map[string]bool{}
		for _, s := range mi.Statuses {
			if s.Role == "PRIMARY" {
				primaries++
				leaderSeq = s.LastApplied
			}
			if s.ClusterID != "" {
				ids[s.ClusterID] = true
			}
		}
		if primaries != 1 {
			add("masters", "%d masters say they are the primary; want exactly 1", primaries)
		}
		if len(ids) > 1 {
			add("masters", "the masters belong to %d different clusters (cluster ids %s): a master was formatted apart from the others",
				len(ids), strings.Join(sortedKeys(ids), ", "))
		}
		for _, s := range mi.Statuses {
			switch {
			case s.Role == "UNAVAILABLE":
				add("masters", "master %s does not answer", s.Address)
			case s.Role != "PRIMARY" && leaderSeq > s.LastApplied+doctorLagEntries:
				add("masters", "master %s is %d journal entries behind the leader", s.Address, leaderSeq-s.LastApplied)
			}
		}
	}
	if want("workers") {
		ws, err := env.fs.Workers(ctx)
		if err != nil {
			return nil, err
		}
		live := 0
		for _, w := range ws {
			if w.State == "LOST" {
				add("workers", "worker %s is lost (last heartbeat %s ago)", w.Address(), now.Sub(w.LastContact).Round(time.Second))
				continue
			}
			live++
			for _, t := range w.Tiers {
				if t.Capacity > 0 && t.Used*100 >= t.Capacity*doctorFullPercent {
					add("workers", "worker %s tier %s is %d%% full (%s of %s)", w.Address(), t.Alias,
						mulDiv(t.Used, 100, t.Capacity), conf.FormatBytes(t.Used), conf.FormatBytes(t.Capacity))
				}
			}
		}
		if live == 0 {
			add("workers", "no live worker: nothing can be cached or written")
		}
	}
	if want("storage") {
		mps, err := env.fs.MountTable(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range mps {
			if m.PendingUfsOperations > 0 {
				add("storage", "%d under storage changes are pending in mount %s (%s); fs stat shows why on each path",
					m.PendingUfsOperations, m.AlluxioPath, m.UfsURI)
			}
		}
	}
	return out, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// workerSummaryLines are report summary's worker and capacity lines.
func workerSummaryLines(ws []client.WorkerInfo) []string {
	live, lost := 0, 0
	tierCap, tierUsed := map[string]int64{}, map[string]int64{}
	var total, used int64
	for _, w := range ws {
		if w.State == "LOST" {
			lost++
			continue
		}
		live++
		total, used = total+w.Capacity, used+w.Used
		for _, t := range w.Tiers {
			tierCap[t.Alias] += t.Capacity
			tierUsed[t.Alias] += t.Used
		}
	}
	out := []string{fmt.Sprintf("    Live Workers: %d", live), fmt.Sprintf("    Lost Workers: %d", lost),
		"    Total Capacity: " + conf.FormatBytes(total)}
	tiers := tierOrder(tierCap)
	for _, t := range tiers {
		out = append(out, fmt.Sprintf("        Tier: %s  Size: %s", t, conf.FormatBytes(tierCap[t])))
	}
	out = append(out, "    Used Capacity: "+conf.FormatBytes(used))
	for _, t := range tiers {
		out = append(out, fmt.Sprintf("        Tier: %s  Size: %s", t, conf.FormatBytes(tierUsed[t])))
	}
	out = append(out, "    Free Capacity: "+conf.FormatBytes(max(total-used, 0)))
	return out
}
