package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// awsCLI is Debian's aws CLI (scripts/deps.sh installs it). A pyenv shim
// named aws may come first on PATH, so /usr/bin/aws is taken when there.
func awsCLI(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/aws"); err == nil {
		return "/usr/bin/aws"
	}
	if os.Getenv("CI") != "" {
		t.Fatal("the aws CLI is missing (scripts/deps.sh installs Debian's awscli)")
	}
	t.Skip("the aws CLI is missing; run scripts/deps.sh")
	return ""
}

// clientEnv is the environment of an S3 client process: keys for the
// proxy and nothing of the developer's own AWS setup.
func clientEnv(t *testing.T, accessKey string) []string {
	home := t.TempDir()
	env := []string{"HOME=" + home, "PATH=/usr/bin:/bin", "AWS_ACCESS_KEY_ID=" + accessKey, "AWS_SECRET_ACCESS_KEY=not-checked",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=" + filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"), "AWS_PAGER=", "NO_PROXY=*", "AWS_EC2_METADATA_DISABLED=true"}
	return env
}

// runClient runs a client command that has to succeed.
func runClient(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	start := time.Now()
	defer func() {
		t.Logf("%s %s: %s", filepath.Base(name), strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	}()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
		}
	case <-time.After(5 * time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s %s did not finish within 5 minutes\n%s", name, strings.Join(args, " "), out.String())
	}
	return out.String()
}

// treeSums maps every file below dir (by its relative path) to its SHA-256.
func treeSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		s := sha256.Sum256(b)
		out[rel] = hex.EncodeToString(s[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeTree(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for rel, data := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestS3APIAWSCLI runs the aws CLI against the proxy: mb, cp of a file big
// enough for a multipart upload both ways, sync of a tree both ways, ls,
// rm --recursive, rb; every byte compared by checksum.
func TestS3APIAWSCLI(t *testing.T) {
	aws := awsCLI(t)
	cl := newProxyCluster(t)
	env := clientEnv(t, "carol")
	run := func(args ...string) string {
		return runClient(t, env, aws, append([]string{"--endpoint-url", cl.proxy.url(), "--no-progress"}, args...)...)
	}
	runS3 := func(args ...string) string {
		return runClient(t, env, aws, append([]string{"--endpoint-url", cl.proxy.url(), "s3"}, args...)...)
	}
	dir := t.TempDir()
	big := randomData(t, 20<<20+333) // the CLI uploads 8 MiB parts above 8 MiB
	writeTree(t, dir, map[string][]byte{"big.bin": big})
	runS3("mb", "s3://cli-bucket")
	run("s3", "cp", filepath.Join(dir, "big.bin"), "s3://cli-bucket/big/file.bin")
	run("s3", "cp", "s3://cli-bucket/big/file.bin", filepath.Join(dir, "back.bin"))
	back, err := os.ReadFile(filepath.Join(dir, "back.bin"))
	if err != nil || sum(back) != sum(big) {
		t.Fatalf("the file copied down differs: %v, %d bytes of %d", err, len(back), len(big))
	}
	// The upload was multipart: its ETag says so.
	head := runClient(t, env, aws, "--endpoint-url", cl.proxy.url(), "s3api", "head-object", "--bucket", "cli-bucket", "--key", "big/file.bin")
	if !strings.Contains(head, `-3\"`) {
		t.Fatalf("head-object of a 20 MiB cp: want a 3-part ETag, got %s", head)
	}
	s3api := func(args ...string) map[string]any {
		out := runClient(t, env, aws, append([]string{"--endpoint-url", cl.proxy.url(), "--output", "json", "s3api"}, args...)...)
		doc := map[string]any{}
		if strings.TrimSpace(out) != "" {
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("s3api %v printed no JSON: %v\n%s", args, err, out)
			}
		}
		return doc
	}
	// The second 8 MiB part, by number.
	part := s3api("get-object", "--bucket", "cli-bucket", "--key", "big/file.bin", "--part-number", "2", filepath.Join(dir, "part2"))
	p2, err := os.ReadFile(filepath.Join(dir, "part2"))
	if err != nil || sum(p2) != sum(big[8<<20:16<<20]) || part["PartsCount"] != float64(3) || part["ContentRange"] != fmt.Sprintf("bytes %d-%d/%d", 8<<20, 16<<20-1, len(big)) {
		t.Fatalf("get-object --part-number 2: %v, %d bytes, %v", err, len(p2), part)
	}
	s3api("put-object-tagging", "--bucket", "cli-bucket", "--key", "big/file.bin", "--tagging", "TagSet=[{Key=owner,Value=carol}]")
	if tags := s3api("get-object-tagging", "--bucket", "cli-bucket", "--key", "big/file.bin"); fmt.Sprint(tags["TagSet"]) != "[map[Key:owner Value:carol]]" {
		t.Fatalf("get-object-tagging: %v", tags)
	}
	if acl := s3api("get-bucket-acl", "--bucket", "cli-bucket"); fmt.Sprint(acl["Grants"]) != "[map[Grantee:map[DisplayName:carol ID:carol Type:CanonicalUser] Permission:FULL_CONTROL]]" {
		t.Fatalf("get-bucket-acl: %v", acl)
	}
	s3api("put-object-acl", "--bucket", "cli-bucket", "--key", "big/file.bin", "--acl", "private")
	if v := s3api("list-object-versions", "--bucket", "cli-bucket", "--prefix", "big/"); fmt.Sprint(v["Versions"]) == "" ||
		!strings.Contains(fmt.Sprint(v["Versions"]), "VersionId:null") || !strings.Contains(fmt.Sprint(v["Versions"]), "IsLatest:true") {
		t.Fatalf("list-object-versions: %v", v)
	}

	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	tree := map[string][]byte{
		"a.txt": []byte("a"), "sub/b.bin": randomData(t, 300000), "sub/deeper/c d.txt": []byte("spaced"),
		"ünïcødé/ é.txt": []byte("unicode"), "per%cent/x": []byte("percent"), "empty": {},
	}
	writeTree(t, src, tree)
	run("s3", "sync", src, "s3://cli-bucket/tree")
	ls := runS3("ls", "--recursive", "s3://cli-bucket/tree/")
	for rel := range tree {
		if !strings.Contains(ls, "tree/"+rel+"\n") {
			t.Fatalf("ls --recursive lacks %q:\n%s", rel, ls)
		}
	}
	top := runS3("ls", "s3://cli-bucket/")
	if !strings.Contains(top, "PRE big/") || !strings.Contains(top, "PRE tree/") {
		t.Fatalf("ls of the bucket: %s", top)
	}
	run("s3", "sync", "s3://cli-bucket/tree", dst)
	if a, b := treeSums(t, src), treeSums(t, dst); !equalMaps(a, b) {
		t.Fatalf("the tree synced down differs:\n%v\n%v", a, b)
	}
	// A second sync has nothing to do.
	if out := run("s3", "sync", src, "s3://cli-bucket/tree"); strings.Contains(out, "upload:") {
		t.Fatalf("a second sync uploaded again:\n%s", out)
	}
	runS3("rm", "--recursive", "--only-show-errors", "s3://cli-bucket")
	if out := runS3("ls", "--recursive", "s3://cli-bucket"); strings.TrimSpace(out) != "" {
		t.Fatalf("left after rm --recursive:\n%s", out)
	}
	runS3("rb", "s3://cli-bucket")
	if out := runS3("ls"); strings.Contains(out, "cli-bucket") {
		t.Fatalf("the bucket is still listed after rb:\n%s", out)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// boto3Script exercises a few calls with boto3's defaults (which send
// CRC checksums in aws-chunked trailers) and prints what the test checks.
const boto3Script = `
import sys, hashlib, boto3, botocore
from boto3.s3.transfer import TransferConfig
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                  config=botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
s3.create_bucket(Bucket="boto-bucket")
data = bytes(range(256)) * 40000 + b"tail"
s3.put_object(Bucket="boto-bucket", Key="one/put", Body=data[:100000], Metadata={"k": "v"}, ContentType="text/x-boto")
h = s3.head_object(Bucket="boto-bucket", Key="one/put")
print("head", h["ContentLength"], h["Metadata"]["k"], h["ContentType"], h["ETag"] == '"%s"' % hashlib.md5(data[:100000]).hexdigest())
import io
s3.upload_fileobj(io.BytesIO(data), "boto-bucket", "multi/part", Config=TransferConfig(multipart_threshold=5*1024*1024, multipart_chunksize=5*1024*1024))
out = io.BytesIO()
s3.download_fileobj("boto-bucket", "multi/part", out)
print("multipart", hashlib.sha256(out.getvalue()).hexdigest() == hashlib.sha256(data).hexdigest(), s3.head_object(Bucket="boto-bucket", Key="multi/part")["ETag"].endswith('-2"'))
r = s3.get_object(Bucket="boto-bucket", Key="one/put", Range="bytes=10-19")
print("range", r["Body"].read() == data[10:20], r["ContentRange"])
keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="boto-bucket")["Contents"])
print("list", ",".join(keys))
try:
    s3.get_object(Bucket="boto-bucket", Key="missing")
except botocore.exceptions.ClientError as e:
    print("error", e.response["Error"]["Code"])
s3.put_object_tagging(Bucket="boto-bucket", Key="one/put", Tagging={"TagSet": [{"Key": "a", "Value": "1"}]})
print("tags", s3.get_object_tagging(Bucket="boto-bucket", Key="one/put")["TagSet"], s3.get_object(Bucket="boto-bucket", Key="one/put")["TagCount"])
def code(f, **kw):
    try:
        f(**kw)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"] + " " + str(e.response["ResponseMetadata"]["HTTPStatusCode"])
    return "no error"
print("errors", code(s3.get_bucket_tagging, Bucket="boto-bucket"), code(s3.put_object_tagging, Bucket="boto-bucket", Key="one/put",
      Tagging={"TagSet": [{"Key": "k%d" % i, "Value": "v"} for i in range(11)]}),
      code(s3.put_object_acl, Bucket="boto-bucket", Key="one/put", ACL="public-read"),
      code(s3.get_object, Bucket="boto-bucket", Key="one/put", PartNumber=2),
      code(s3.head_object, Bucket="boto-bucket", Key="one/put", VersionId="nope"))
acl = s3.get_object_acl(Bucket="boto-bucket", Key="one/put")
print("acl", acl["Owner"]["ID"], [(g["Grantee"]["Type"], g["Grantee"]["ID"], g["Permission"]) for g in acl["Grants"]])
print("versioning", s3.get_bucket_versioning(Bucket="boto-bucket").get("Status", "none"),
      [(v["Key"], v["VersionId"], v["IsLatest"]) for v in s3.list_object_versions(Bucket="boto-bucket", Prefix="one/")["Versions"]])
p = s3.get_object(Bucket="boto-bucket", Key="multi/part", PartNumber=2)
print("part", p["PartsCount"], p["ContentRange"], p["Body"].read() == data[5*1024*1024:])
d = s3.delete_objects(Bucket="boto-bucket", Delete={"Objects": [{"Key": k} for k in keys]})
print("deleted", len(d["Deleted"]))
s3.delete_bucket(Bucket="boto-bucket")
print("buckets", len(s3.list_buckets()["Buckets"]))
`

// TestS3APIBoto3 runs a few calls through boto3 with its default checksums.
func TestS3APIBoto3(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("boto3 is missing (scripts/deps.sh installs python3-boto3)")
		}
		t.Skip("boto3 is missing; run scripts/deps.sh")
	}
	cl := newProxyCluster(t)
	script := filepath.Join(t.TempDir(), "boto.py")
	if err := os.WriteFile(script, []byte(boto3Script), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runClient(t, clientEnv(t, "dave"), "/usr/bin/python3", script, cl.proxy.url())
	lines := strings.Split(strings.TrimSpace(out), "\n")
	sort.Strings(lines)
	want := []string{
		"acl dave [('CanonicalUser', 'dave', 'FULL_CONTROL')]",
		"buckets 0",
		"deleted 2",
		"error NoSuchKey",
		"errors NoSuchTagSet 404 BadRequest 400 NotImplemented 501 InvalidPartNumber 416 400 400",
		"head 100000 v text/x-boto True",
		"list multi/part,one/put",
		"multipart True True",
		"part 2 bytes 5242880-10240003/10240004 True",
		"range True bytes 10-19/100000",
		"tags [{'Key': 'a', 'Value': '1'}] 1",
		"versioning none [('one/put', 'null', True)]",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("boto3 printed:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
	}
}
