package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/web"
)

// This file holds the commands about the cluster rather than its files:
// fsadmin; fs leader and masterInfo, which read the same MasterInfo as
// report summary; and fs mount and unmount, whose table report ufs prints.

func fsadminCmd() *cobra.Command {
	// A RunE makes cobra reject unknown subcommands (Args: NoArgs) instead
	// of printing help and exiting 0, which would hide a typo in a script.
	help := func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	c := &cobra.Command{Use: "fsadmin", Short: "cluster administration (report, backup, doctor, ufs, journal)"}
	journal := &cobra.Command{Use: "journal", Short: "journal administration (checkpoint, quorum)", Args: cobra.NoArgs, RunE: help}
	journal.AddCommand(checkpointCmd(), quorumCmd())
	c.AddCommand(reportCmd(), journal, backupCmd(), doctorCmd(), ufsCmd())
	return nameArgErrors(groupHelp(c))[0]
}

// clusterCommand builds a command that takes no arguments and talks to the
// configured masters.
func clusterCommand(use, short string, run func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error) *cobra.Command {
	return &cobra.Command{
		Use: use, Short: short, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withEnv(cmd, nil, func(ctx context.Context, env *fsEnv) error { return run(ctx, cmd, env) })
		},
	}
}

// masterInfo fetches the cluster's description; the leader falls back to
// the master that answered when the reply does not name one.
func masterInfo(ctx context.Context, env *fsEnv) (*client.MasterInfo, error) {
	mi, err := env.fs.MasterInfo(ctx)
	if err != nil {
		return nil, err
	}
	if mi.Leader == "" {
		if mi.Leader, err = env.fs.Leader(ctx); err != nil {
			return nil, err
		}
	}
	return mi, nil
}

func leaderCmd() *cobra.Command {
	return clusterCommand("leader", "print the leading master's address", func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
		addr, err := env.fs.Leader(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), addr)
		return nil
	})
}

func masterInfoCmd() *cobra.Command {
	return clusterCommand("masterInfo", "print the leading master and all masters", func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
		mi, err := masterInfo(ctx, env)
		if err != nil {
			return err
		}
		for _, l := range masterInfoLines(mi) {
			fmt.Fprintln(cmd.OutOrStdout(), l)
		}
		return nil
	})
}

func masterInfoLines(mi *client.MasterInfo) []string {
	out := []string{
		"Current leader master: " + mi.Leader,
		"All masters: " + javaList(mi.Masters),
		"Journal Type: " + mi.JournalType,
	}
	if mi.ZKEnabled {
		out = append(out, "Zookeeper Addresses: "+javaList(mi.ZooKeeper))
	}
	return out
}

func reportCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "report [summary|capacity|metrics|ufs]",
		Short:     "report the cluster's state (summary by default)",
		Args:      cobra.MatchAll(cobra.MaximumNArgs(1), cobra.OnlyValidArgs),
		ValidArgs: []string{"summary", "capacity", "metrics", "ufs"},
		RunE: func(cmd *cobra.Command, args []string) error {
			what := "summary"
			if len(args) == 1 {
				what = args[0]
			}
			return withEnv(cmd, nil, func(ctx context.Context, env *fsEnv) error {
				out := cmd.OutOrStdout()
				if what == "ufs" {
					return printMountTable(ctx, cmd, env)
				}
				mi, err := masterInfo(ctx, env)
				if err != nil {
					return err
				}
				switch what {
				case "capacity":
					ws, err := env.fs.Workers(ctx)
					if err != nil {
						return err
					}
					lines := capacityLines(ws, time.Now())
					if lines == nil {
						fmt.Fprintf(out, "No workers registered with master %s: there is no worker capacity to report.\n", mi.Leader)
					}
					for _, l := range lines {
						fmt.Fprintln(out, l)
					}
				case "metrics":
					ms, err := env.fs.Metrics(ctx)
					if err != nil {
						return err
					}
					for _, l := range metricLines(ms) {
						fmt.Fprintln(out, l)
					}
				default:
					ws, err := env.fs.Workers(ctx)
					if err != nil {
						return err
					}
					for _, l := range append(summaryLines(mi), workerSummaryLines(ws)...) {
						fmt.Fprintln(out, l)
					}
				}
				return nil
			})
		},
	}
}

// summaryLines is fsadmin report summary, in Alluxio's words and indents,
// up to the masters; workerSummaryLines follow.
func summaryLines(mi *client.MasterInfo) []string {
	out := []string{
		"Alluxio cluster summary:",
		"    Master Address: " + mi.Leader,
		"    Web Port: " + strconv.Itoa(mi.WebPort),
		"    Rpc Port: " + strconv.Itoa(mi.RPCPort),
		"    Started: " + formatDate(mi.StartTime),
		"    Uptime: " + formatClockTime(mi.Uptime),
		"    Version: " + mi.Version,
		"    Safe Mode: false",
		"    Zookeeper Enabled: " + strconv.FormatBool(mi.ZKEnabled),
	}
	if mi.ZKEnabled {
		out = append(out, "    Zookeeper Addresses: "+javaList(mi.ZooKeeper))
	}
	out = append(out, "    Journal Type: "+mi.JournalType, "    Masters:")
	width := len("Address")
	for _, s := range mi.Statuses {
		width = max(width, len(s.Address))
	}
	row := func(addr, role, applied string) string {
		return fmt.Sprintf("        %-*s  %-9s  %s", width, addr, role, applied)
	}
	out = append(out, row("Address", "Role", "Last Applied Sequence"))
	for _, s := range mi.Statuses {
		out = append(out, row(s.Address, s.Role, strconv.FormatUint(s.LastApplied, 10)))
	}
	return out
}

// capacityLines is fsadmin report capacity in Alluxio's layout: totals per
// tier, then one column per tier for each live worker. It is nil when no
// worker is live.
func capacityLines(ws []client.WorkerInfo, now time.Time) []string {
	var live []client.WorkerInfo
	tierCap, tierUsed := map[string]int64{}, map[string]int64{}
	var total, used int64
	for _, w := range ws {
		if w.State != "" && w.State != "LIVE" {
			continue
		}
		live = append(live, w)
		total, used = total+w.Capacity, used+w.Used
		for _, t := range w.Tiers {
			tierCap[t.Alias] += t.Capacity
			tierUsed[t.Alias] += t.Used
		}
	}
	if len(live) == 0 {
		return nil
	}
	tiers := tierOrder(tierCap)
	usedPct := 0
	if total > 0 {
		usedPct = int(mulDiv(used, 100, total))
	}
	out := []string{"Capacity information for all workers: ", "    Total Capacity: " + conf.FormatBytes(total)}
	for _, t := range tiers {
		out = append(out, fmt.Sprintf("        Tier: %s  Size: %s", t, conf.FormatBytes(tierCap[t])))
	}
	out = append(out, "    Used Capacity: "+conf.FormatBytes(used))
	for _, t := range tiers {
		out = append(out, fmt.Sprintf("        Tier: %s  Size: %s", t, conf.FormatBytes(tierUsed[t])))
	}
	out = append(out, fmt.Sprintf("    Used Percentage: %d%%", usedPct), fmt.Sprintf("    Free Percentage: %d%%", 100-usedPct), "")
	row := func(name, beat, kind string, cells []string) string {
		return strings.TrimRight(fmt.Sprintf("%-16s %-16s %-13s %s", name, beat, kind, strings.Join(cells, "")), " ")
	}
	cells := func(f func(t string) string) []string {
		out := make([]string, len(tiers))
		for i, t := range tiers {
			out[i] = fmt.Sprintf("%-14s", f(t))
		}
		return out
	}
	out = append(out, row("Worker Name", "Last Heartbeat", "Storage", cells(func(t string) string { return t })))
	sort.Slice(live, func(i, j int) bool { return live[i].Address() < live[j].Address() })
	// Alluxio names a worker by its host; workers that share one (a test
	// cluster on one machine) are told apart by port.
	perHost := map[string]int{}
	for _, w := range live {
		perHost[w.Host]++
	}
	for _, w := range live {
		name := w.Host
		if perHost[name] > 1 {
			name = w.Address()
		}
		wc, wu := map[string]int64{}, map[string]int64{}
		for _, t := range w.Tiers {
			wc[t.Alias], wu[t.Alias] = t.Capacity, t.Used
		}
		beat := strconv.FormatInt(int64(max(now.Sub(w.LastContact), 0)/time.Second), 10)
		out = append(out, row(name, beat, "capacity", cells(func(t string) string { return conf.FormatBytes(wc[t]) })))
		pct := ""
		if w.Capacity > 0 {
			pct = fmt.Sprintf(" (%d%%)", mulDiv(w.Used, 100, w.Capacity))
		}
		usedCells := cells(func(t string) string { return conf.FormatBytes(wu[t]) })
		if n := len(usedCells); n > 0 {
			usedCells[n-1] = strings.TrimRight(usedCells[n-1], " ") + pct
		}
		out = append(out, row("", "", "used", usedCells))
	}
	return out
}

// tierOrder lists the tiers of a map fastest first (web.SortTiers).
func tierOrder(tiers map[string]int64) []string {
	out := make([]string, 0, len(tiers))
	for t := range tiers {
		out = append(out, t)
	}
	web.SortTiers(out)
	return out
}

func checkpointCmd() *cobra.Command {
	return clusterCommand("checkpoint", "make the leading master write a journal checkpoint", func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
		seq, err := env.fs.Checkpoint(ctx)
		if err != nil {
			return err
		}
		// The client keeps the master that took the checkpoint as its
		// primary, so Leader asks that master first.
		leader, err := env.fs.Leader(ctx)
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		fmt.Fprintln(out, "Successfully took a checkpoint on master", leader)
		fmt.Fprintln(out, "Checkpoint sequence:", seq)
		return nil
	})
}

func mountCmd() *cobra.Command {
	var readOnly, shared bool
	var options []string
	c := &cobra.Command{
		Use:   "mount [--readonly] [--shared] [--option KEY=VALUE]... [ALLUXIO_PATH UFS_URI]",
		Short: "mount an under storage at an Alluxio path, or list the mounts",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 && len(args) != 2 {
				return fmt.Errorf("give ALLUXIO_PATH UFS_URI, or nothing to list the mount table (got %d arguments)", len(args))
			}
			if len(args) == 0 && (readOnly || shared || len(options) > 0) {
				return fmt.Errorf("--readonly, --shared and --option need ALLUXIO_PATH UFS_URI")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return withEnv(cmd, nil, func(ctx context.Context, env *fsEnv) error {
					return printMountTable(ctx, cmd, env)
				})
			}
			props, err := parseMountOptions(options)
			if err != nil {
				return err
			}
			return withEnv(cmd, args[:1], func(ctx context.Context, env *fsEnv) error {
				o := client.MountOptions{ReadOnly: readOnly, Shared: shared, Properties: props}
				if err := env.fs.Mount(ctx, env.paths[0], args[1], o); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Mounted %s at %s\n", args[1], env.paths[0])
				return nil
			})
		},
	}
	c.Flags().BoolVar(&readOnly, "readonly", false, "mount read-only")
	c.Flags().BoolVar(&shared, "shared", false, "let all users see the mount")
	c.Flags().StringArrayVar(&options, "option", nil, "an under storage property, KEY=VALUE (repeatable)")
	return c
}

func printMountTable(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
	mps, err := env.fs.MountTable(ctx)
	if err != nil {
		return err
	}
	for _, l := range mountTableLines(mps) {
		fmt.Fprintln(cmd.OutOrStdout(), l)
	}
	return nil
}

func unmountCmd() *cobra.Command {
	return pathCommand("unmount PATH", "unmount an under storage", cobra.ExactArgs(1),
		func(ctx context.Context, cmd *cobra.Command, env *fsEnv) error {
			if err := env.fs.Unmount(ctx, env.paths[0]); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "Unmounted", env.paths[0])
			return nil
		})
}

// metricLines is fsadmin report metrics in Alluxio's layout: one metric a
// line, "Name  (Type: COUNTER, Value: 12)", sizes as 1.00MB; a worker's
// own metrics name the worker.
func metricLines(ms []client.Metric) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		name := m.Name
		if m.Worker != "" {
			name += " (" + m.Worker + ")"
		}
		v := strconv.FormatFloat(m.Value, 'f', -1, 64)
		if strings.Contains(m.Name, "Bytes") || strings.Contains(m.Name, "Capacity") {
			v = conf.FormatBytes(int64(m.Value))
		}
		out = append(out, fmt.Sprintf("%s  (Type: %s, Value: %s)", name, m.Type, v))
	}
	return out
}
