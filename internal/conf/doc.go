// Package conf reads Alluxio-compatible configuration: the property keys of
// Alluxio 2.x with their defaults, the alluxio-site.properties file, the
// environment and -D definitions, and Alluxio's value syntax (durations such
// as "5min", sizes such as "64MB", ${key} templates).
//
// Users bring property files written for Alluxio, so names, defaults, value
// syntax and precedence follow Alluxio; where this project picks a different
// default (faster failover) the key's Doc says so and gives Alluxio's.
//
// Sources, highest precedence first: Set, -D definitions, per-key environment
// variables (ALLUXIO_MASTER_HOSTNAME for alluxio.master.hostname), -D items in
// ALLUXIO_JAVA_OPTS, the first alluxio-site.properties found, and defaults.
// Templates are expanded when a value is read, so ${alluxio.work.dir} in a
// default follows a work dir set in any source.
//
// Components read the keys they need once, at start-up, into their own typed
// config and report what Validate or a getter returns:
//
//	p, err := conf.Load(conf.LoadOptions{Defines: defines})
//	if err != nil {
//		return err
//	}
//	if err := p.Validate(); err != nil {
//		return err
//	}
//	timeout, err := p.GetDuration(conf.ZookeeperSessionTimeout)
//
// A *Properties is safe for concurrent use.
package conf
