package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/internal/underfs"
	"github.com/alluxio-go/alluxio/internal/underfs/underfstest"
)

// runUfsTestsCmd is Alluxio's runUfsTests: the under storage conformance
// checks (the same ones every implementation passes in go test) against a
// user's store, each in a fresh folder under --path that is removed after.
func runUfsTestsCmd() *cobra.Command {
	var path string
	var options []string
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "runUfsTests --path UFS_URI [--option KEY=VALUE]...",
		Short: "check an under storage (a bucket prefix, a folder) with the conformance checks, printing pass or fail per check",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if path == "" {
				return fmt.Errorf("--path is required, e.g. --path s3://bucket/prefix")
			}
			props, err := parseMountOptions(options)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			opts := underfs.Options{Properties: props}
			root, err := underfs.OpenWithOptions(path, opts)
			if err != nil {
				return err
			}
			defer root.Close()
			base := fmt.Sprintf("alluxio-ufs-tests-%d", time.Now().UnixNano())
			mctx, cancel := context.WithTimeout(ctx, timeout)
			if _, err = root.GetStatus(mctx, ""); err == nil {
				err = root.Mkdirs(mctx, base, 0)
			}
			cancel()
			if err != nil {
				return fmt.Errorf("cannot make the test folder in %s: %w", path, err)
			}
			defer func() {
				dctx, cancel := context.WithTimeout(context.Background(), timeout)
				defer cancel()
				if err := root.Delete(dctx, base, true); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "could not remove the test folder %s: %v\n", base, err)
				}
			}()
			passed, failed := 0, 0
			for _, check := range underfstest.Checks() {
				sub := base + "/" + check.Name
				res := runOneCheck(ctx, root, path, sub, opts, check, timeout)
				if res.Passed() {
					passed++
					fmt.Fprintf(out, "PASS  %-22s %v\n", res.Name, res.Elapsed.Round(time.Millisecond))
					continue
				}
				failed++
				fmt.Fprintf(out, "FAIL  %-22s %v\n", res.Name, res.Elapsed.Round(time.Millisecond))
				for _, f := range res.Failures {
					fmt.Fprintf(out, "      %s\n", strings.ReplaceAll(f, "\n", "\n      "))
				}
			}
			fmt.Fprintf(out, "%d passed, %d failed\n", passed, failed)
			if failed > 0 {
				return fmt.Errorf("%d of %d checks failed against %s", failed, passed+failed, path)
			}
			return nil
		},
	}
	c.Flags().StringVar(&path, "path", "", "the under storage URI to check (a bucket prefix or folder the checks may write in)")
	c.Flags().StringArrayVar(&options, "option", nil, "an under storage property, KEY=VALUE (repeatable), as for fs mount")
	c.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "time allowed for each check")
	return c
}

// runOneCheck gives a check an empty folder of its own, opened as a store
// rooted there, as the conformance suite expects.
func runOneCheck(ctx context.Context, root underfs.UnderFileSystem, path, sub string, opts underfs.Options,
	check underfstest.Check, timeout time.Duration) underfstest.Result {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fail := func(err error) underfstest.Result {
		return underfstest.Result{Name: check.Name, Failures: []string{err.Error()}}
	}
	if err := root.Mkdirs(ctx, sub, 0); err != nil {
		return fail(err)
	}
	u, err := underfs.OpenWithOptions(strings.TrimSuffix(path, "/")+"/"+sub, opts)
	if err != nil {
		return fail(err)
	}
	defer u.Close()
	return underfstest.RunCheck(ctx, check, u)
}
