package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
	"github.com/alluxio-go/alluxio/internal/proxy"
)

func proxyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "proxy",
		Short: "run the S3 API proxy in the foreground (port alluxio.proxy.web.port; Ctrl-C or SIGTERM stops it)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := loadConf()
			if err != nil {
				return err
			}
			if err := p.Validate(); err != nil {
				return err
			}
			pcfg, err := proxy.ConfigFromProperties(p)
			if err != nil {
				return err
			}
			ccfg, err := clientConfig(p, client.URI{})
			if err != nil {
				return err
			}
			logDir, err := p.GetString(conf.LogsDir)
			if err != nil {
				return err
			}
			log, closer, err := openLog(logDir, "proxy")
			if err != nil {
				return err
			}
			defer closer.Close()
			log.Info("configuration", "site_file", p.SiteFile(), "address", pcfg.Addr, "masters", ccfg.Masters,
				"zookeeper", ccfg.ZooKeeper)
			return runServer(log, func(ctx context.Context) (stopper, <-chan error, error) {
				fs, err := client.New(ccfg)
				if err != nil {
					return nil, nil, err
				}
				s, err := proxy.Start(pcfg, fs, log)
				if err != nil {
					fs.Close()
					return nil, nil, err
				}
				return proxyStopper{s, fs}, nil, nil
			})
		},
	}
}

// proxyStopper stops the proxy, then closes its client.
type proxyStopper struct {
	p  *proxy.Process
	fs *client.FileSystem
}

func (s proxyStopper) Stop(ctx context.Context) error {
	err := s.p.Stop(ctx)
	s.fs.Close()
	return err
}
