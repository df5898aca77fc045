package main

import (
	"fmt"
	"maps"
	"math"
	"math/bits"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/alluxio-go/alluxio/client"
	"github.com/alluxio-go/alluxio/internal/conf"
)

// lsFormat is Alluxio 2.x's LsCommand.LS_FORMAT, column for column, so
// scripts that cut its output keep working.
const lsFormat = "%-11s%-15s%-15s%15s%16s%24s%5s %-5s"

// formatMode renders permission bits as ls does: "drwxr-xr-x".
func formatMode(mode os.FileMode, isDir bool) string {
	const rwx = "rwxrwxrwx"
	b := []byte("---------")
	for i := range 9 {
		if mode&(1<<uint(8-i)) != 0 {
			b[i] = rwx[i]
		}
	}
	if mode&0o1000 != 0 {
		// The sticky bit, as ls shows it.
		b[8] = "Tt"[mode&1]
	}
	if isDir {
		return "d" + string(b)
	}
	return "-" + string(b)
}

// formatDate renders t with Alluxio's default alluxio.user.date.format.pattern
// "MM-dd-yyyy HH:mm:ss:SSS"; Go layouts cannot put a colon before the
// milliseconds, hence the second step.
func formatDate(t time.Time) string {
	return t.Format("01-02-2006 15:04:05") + fmt.Sprintf(":%03d", t.Nanosecond()/int(time.Millisecond))
}

// formatClockTime renders an uptime the way Alluxio's report does.
func formatClockTime(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	return fmt.Sprintf("%d day(s), %d hour(s), %d minute(s), and %d second(s)",
		s/86400, s%86400/3600, s%3600/60, s%60)
}

// javaList renders items as Java's List.toString does, which is what
// Alluxio users see in masterInfo and report.
func javaList[T any](items []T) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = fmt.Sprint(it)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func formatSize(n int64, human bool) string {
	if human {
		return conf.FormatBytes(n)
	}
	return strconv.FormatInt(n, 10)
}

// lsLine is one line of ls for fi, showing ts as its timestamp.
func lsLine(fi *client.FileInfo, human bool, ts time.Time) string {
	inAlluxio := "DIR"
	if !fi.IsDir {
		inAlluxio = fmt.Sprintf("%d%%", fi.InAlluxioPercent)
	}
	return fmt.Sprintf(lsFormat, formatMode(fi.Mode, fi.IsDir), fi.Owner, fi.Group,
		formatSize(fi.Length, human), fi.PersistenceState, formatDate(ts), inAlluxio, fi.Path)
}

// lsTimestamp picks the time ls shows (--timestamp).
func lsTimestamp(field string) (func(*client.FileInfo) time.Time, error) {
	switch field {
	case "lastModificationTime":
		return func(fi *client.FileInfo) time.Time { return fi.Modified }, nil
	case "creationTime":
		return func(fi *client.FileInfo) time.Time { return fi.Created }, nil
	}
	return nil, fmt.Errorf("invalid --timestamp %q: use creationTime or lastModificationTime", field)
}

// sortFileInfos orders list by an ls --sort field; equal keys keep the
// master's order, which is by name.
func sortFileInfos(list []*client.FileInfo, field string, reverse bool) error {
	var less func(a, b *client.FileInfo) bool
	switch field {
	case "name":
		less = func(a, b *client.FileInfo) bool { return a.Name < b.Name }
	case "path":
		less = func(a, b *client.FileInfo) bool { return pathLess(a.Path, b.Path) }
	case "size":
		less = func(a, b *client.FileInfo) bool { return a.Length < b.Length }
	case "creationTime":
		less = func(a, b *client.FileInfo) bool { return a.Created.Before(b.Created) }
	case "lastModificationTime":
		less = func(a, b *client.FileInfo) bool { return a.Modified.Before(b.Modified) }
	default:
		return fmt.Errorf("invalid --sort %q: use name, path, size, creationTime or lastModificationTime", field)
	}
	sort.SliceStable(list, func(i, j int) bool {
		if reverse {
			return less(list[j], list[i])
		}
		return less(list[i], list[j])
	})
	return nil
}

// pathLess orders paths component by component, so "/a/b" comes right
// after "/a" and before "/a-c".
func pathLess(a, b string) bool {
	for a != "" && b != "" && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	switch {
	case a == "" || b == "":
		return a == "" && b != ""
	case a[0] == '/':
		return true
	case b[0] == '/':
		return false
	}
	return a[0] < b[0]
}

// statDump renders fi like Alluxio's FileInfo.toString, limited to the
// fields this implementation has; mode is decimal as in Alluxio.
// ufsLines are what stat adds to Alluxio's output: the under storage
// change still pending for the path, and why the last one failed.
func ufsLines(fi *client.FileInfo) []string {
	var out []string
	if fi.UfsPending != "" {
		out = append(out, "Under storage change pending: "+fi.UfsPending)
	}
	if fi.UfsError != "" {
		out = append(out, "Under storage change failed: "+fi.UfsError)
	}
	return out
}

func statDump(fi *client.FileInfo) string {
	ttl := int64(-1)
	if fi.TTL >= 0 {
		ttl = fi.TTL.Milliseconds()
	}
	return fmt.Sprintf("FileInfo{fileId=%d, name=%s, path=%s, ufsPath=%s, length=%d, blockSizeBytes=%d, "+
		"creationTimeMs=%d, completed=%t, folder=%t, pinned=%t, persisted=%t, blockIds=%s, "+
		"inMemoryPercentage=%d, lastModificationTimesMs=%d, ttl=%d, ttlAction=%s, owner=%s, group=%s, "+
		"mode=%d, persistenceState=%s, mountPoint=%t, inAlluxioPercentage=%d}",
		fi.ID, fi.Name, fi.Path, fi.UfsPath, fi.Length, fi.BlockSize,
		fi.Created.UnixMilli(), fi.Completed, fi.IsDir, fi.Pinned, fi.Persisted, javaList(fi.BlockIDs),
		fi.InMemoryPercent, fi.Modified.UnixMilli(), ttl, fi.TTLAction, fi.Owner, fi.Group,
		uint32(fi.Mode.Perm()), fi.PersistenceState, fi.MountPoint, fi.InAlluxioPercent)
}

// statFormat expands stat -f directives: %N name, %z size, %u owner,
// %g group, %y modification time (UTC), %Y modification time in ms,
// %b block count. Anything else is kept as written, as Alluxio does.
func statFormat(format string, fi *client.FileInfo) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		switch format[i+1] {
		case 'N':
			b.WriteString(fi.Name)
		case 'z':
			b.WriteString(strconv.FormatInt(fi.Length, 10))
		case 'u':
			b.WriteString(fi.Owner)
		case 'g':
			b.WriteString(fi.Group)
		case 'y':
			b.WriteString(fi.Modified.UTC().Format("2006-01-02 15:04:05"))
		case 'Y':
			b.WriteString(strconv.FormatInt(fi.Modified.UnixMilli(), 10))
		case 'b':
			b.WriteString(strconv.Itoa(len(fi.BlockIDs)))
		default:
			b.WriteByte('%')
			continue
		}
		i++
	}
	return b.String()
}

// parseOctalMode accepts chmod's octal modes (755, 0644, 1777 with the
// sticky bit, which the master's permission checks honour on
// directories). Symbolic modes and the setuid and setgid bits are not
// supported. The result holds the bits as the master stores them (0o1000
// for the sticky bit, not os.ModeSticky).
func parseOctalMode(s string) (os.FileMode, error) {
	if len(s) == 0 || len(s) > 4 || strings.Trim(s, "01234567") != "" {
		return 0, fmt.Errorf("invalid mode %q: give an octal mode such as 755 (symbolic modes are not supported)", s)
	}
	v, _ := strconv.ParseUint(s, 8, 32)
	if v > 0o1777 {
		return 0, fmt.Errorf("invalid mode %q: setuid and setgid bits are not supported", s)
	}
	return os.FileMode(v), nil
}

// checkName rejects owner and group names that cannot be right, so a typo
// such as a stray space does not become a user on the master.
func checkName(kind, s string) error {
	if s == "" {
		return fmt.Errorf("empty %s name", kind)
	}
	if strings.HasPrefix(s, "-") {
		return fmt.Errorf("invalid %s name %q: must not start with '-'", kind, s)
	}
	for _, r := range s {
		if r == ':' || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return fmt.Errorf("invalid %s name %q: must not contain ':', spaces or control characters", kind, s)
		}
	}
	return nil
}

// parseOwnerGroup splits chown's OWNER[:GROUP]; group is "" when absent.
func parseOwnerGroup(s string) (owner, group string, err error) {
	owner, group, hasGroup := strings.Cut(s, ":")
	if err := checkName("owner", owner); err != nil {
		return "", "", err
	}
	if hasGroup {
		if err := checkName("group", group); err != nil {
			return "", "", err
		}
	}
	return owner, group, nil
}

// parseTTL reads setTtl's TTL: a duration with a unit ("10s", "1h") or
// plain milliseconds. Alluxio keeps TTLs in milliseconds, so less than 1ms
// is refused instead of silently becoming "expire now".
func parseTTL(s string) (time.Duration, error) {
	d, err := conf.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid TTL %q: give milliseconds or a duration such as 10s or 1h", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("invalid TTL %q: must not be negative (use unsetTtl to remove a TTL)", s)
	}
	if d > 0 && d < time.Millisecond {
		return 0, fmt.Errorf("invalid TTL %q: the resolution is one millisecond", s)
	}
	return d, nil
}

// parseTTLAction maps setTtl --action to the wire name.
func parseTTLAction(s string) (string, error) {
	switch a := strings.ToUpper(s); a {
	case "FREE", "DELETE", "DELETE_ALLUXIO":
		return a, nil
	}
	return "", fmt.Errorf("invalid --action %q: use free, delete or delete_alluxio", s)
}

// parseMountOptions reads mount's repeated --option key=value.
func parseMountOptions(opts []string) (map[string]string, error) {
	if len(opts) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(opts))
	for _, o := range opts {
		k, v, ok := strings.Cut(o, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("invalid --option %q: use key=value", o)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("--option %s is given twice", k)
		}
		m[k] = v
	}
	return m, nil
}

// ufsType names the under storage kind by URI scheme; a plain path is the
// local file system, as in Alluxio.
func ufsType(uri string) string {
	if scheme, _, ok := strings.Cut(uri, "://"); ok && scheme != "" {
		if scheme == "file" {
			return "local"
		}
		return scheme
	}
	return "local"
}

// mountTableLines renders the mount table like Alluxio's mount listing,
// with the mount's options (credentials masked by the master). Capacity is
// left out because the master does not report it, rather than printing
// made-up numbers.
func mountTableLines(mps []client.MountPoint) []string {
	ufsWidth, pathWidth := 0, 0
	for _, m := range mps {
		ufsWidth = max(ufsWidth, len(m.UfsURI))
		pathWidth = max(pathWidth, len(m.AlluxioPath))
	}
	not := func(b bool) string {
		if b {
			return ""
		}
		return "not "
	}
	out := make([]string, 0, len(mps))
	for _, m := range mps {
		props := ""
		if len(m.Properties) > 0 {
			keys := slices.Sorted(maps.Keys(m.Properties))
			kv := make([]string, len(keys))
			for i, k := range keys {
				kv[i] = k + "=" + m.Properties[k]
			}
			props = ", properties={" + strings.Join(kv, ", ") + "}"
		}
		pending := ""
		if m.PendingUfsOperations > 0 {
			pending = fmt.Sprintf(", %d under storage changes pending", m.PendingUfsOperations)
		}
		out = append(out, fmt.Sprintf("%-*s  on  %-*s  (%s, %sread-only, %sshared%s%s)",
			ufsWidth, m.UfsURI, pathWidth, m.AlluxioPath, ufsType(m.UfsURI), not(m.ReadOnly), not(m.Shared), pending, props))
	}
	return out
}

// countFormat is Alluxio's CountCommand format.
const countFormat = "%-25s%-25s%-15s"

// duFormat is Alluxio's DuCommand short format.
const duFormat = "%-13s %-16s %s"

// mulDiv is a*b/c for non-negative values without overflowing the
// product; it saturates when the quotient does not fit.
func mulDiv(a, b, c int64) int64 {
	if a <= 0 || b <= 0 || c <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(min(q, math.MaxInt64))
}

// duRow is one du line: the size, the bytes in Alluxio with their share,
// and the path, as Alluxio prints them ("1024", "512 (50%)").
func duRow(size, inAlluxio int64, path string, human bool) string {
	pct := int64(0)
	if size > 0 {
		pct = mulDiv(min(inAlluxio, size), 100, size)
	}
	return fmt.Sprintf(duFormat, formatSize(size, human),
		fmt.Sprintf("%s (%d%%)", formatSize(inAlluxio, human), pct), path)
}
