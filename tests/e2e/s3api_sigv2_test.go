package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alluxio-go/alluxio/client"
)

// boto3SigV2Script signs with Signature Version 2, as botocore does it:
// requests with the "AWS key:signature" header (signature_version "s3"),
// generate_presigned_url, which makes version 2 URLs in us-east-1, and
// generate_presigned_post (a form with a version 2 signed policy).
const boto3SigV2Script = `
import sys, urllib.request, urllib.error, boto3, botocore
from botocore.config import Config
def client(secret, version):
    return boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="carol",
                        aws_secret_access_key=secret, config=Config(signature_version=version,
                        s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
def fetch(url):
    try:
        return urllib.request.urlopen(url).read()
    except urllib.error.HTTPError as e:
        return e.code
v2 = client("carol-secret", "s3")
v2.create_bucket(Bucket="v2-bucket")
v2.put_object(Bucket="v2-bucket", Key="dir/o b", Body=b"signed the old way", ContentType="text/plain")
print("get", v2.get_object(Bucket="v2-bucket", Key="dir/o b")["Body"].read().decode())
print("list", [o["Key"] for o in v2.list_objects(Bucket="v2-bucket")["Contents"]])
try:
    client("guessed", "s3").get_object(Bucket="v2-bucket", Key="dir/o b")
except botocore.exceptions.ClientError as e:
    print("forged", e.response["Error"]["Code"])
url = client("carol-secret", None).generate_presigned_url("get_object", Params={"Bucket": "v2-bucket", "Key": "dir/o b"}, ExpiresIn=300)
print("presigned", "AWSAccessKeyId=" in url, fetch(url).decode())
print("tampered", fetch(url.replace("Expires=", "Expires=1")))
print("expired", fetch(client("carol-secret", None).generate_presigned_url("get_object", Params={"Bucket": "v2-bucket", "Key": "dir/o b"}, ExpiresIn=-60)))
print("forged url", fetch(client("guessed", None).generate_presigned_url("get_object", Params={"Bucket": "v2-bucket", "Key": "dir/o b"}, ExpiresIn=300)))
def post(form, data):
    boundary = "----alluxio-test-boundary"
    body = b""
    for k, v in form["fields"].items():
        body += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode()
    body += ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"pic.txt\"\r\n\r\n" % boundary).encode() + data
    body += ("\r\n--%s--\r\n" % boundary).encode()
    req = urllib.request.Request(form["url"], data=body, method="POST", headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
    try:
        return urllib.request.urlopen(req).status
    except urllib.error.HTTPError as e:
        return e.code
form = client("carol-secret", None).generate_presigned_post("v2-bucket", "posted/${filename}", ExpiresIn=300,
    Conditions=[["content-length-range", 1, 1000]])
print("post", post(form, b"posted from a browser"), v2.get_object(Bucket="v2-bucket", Key="posted/pic.txt")["Body"].read().decode())
print("post too big", post(form, b"x" * 1001))
print("post forged", post(client("guessed", None).generate_presigned_post("v2-bucket", "posted/forged", ExpiresIn=300), b"x"))
`

// TestS3APISignatureV2 checks version 2 signatures made by botocore (an
// implementation independent of the proxy's) against a proxy that verifies
// signatures: good ones are served as their access key's user, forged,
// altered and expired ones are refused.
func TestS3APISignatureV2(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("boto3 is missing (scripts/deps.sh installs python3-boto3)")
		}
		t.Skip("boto3 is missing; run scripts/deps.sh")
	}
	creds := filepath.Join(t.TempDir(), "s3-credentials")
	if err := os.WriteFile(creds, []byte("carol carol-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cl := newProxyCluster(t, "-Dalluxio.proxy.s3.credentials.file="+creds)
	script := filepath.Join(t.TempDir(), "sigv2.py")
	if err := os.WriteFile(script, []byte(boto3SigV2Script), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runClient(t, clientEnv(t, "carol"), "/usr/bin/python3", script, cl.proxy.url())
	want := strings.Join([]string{
		"get signed the old way",
		"list ['dir/o b']",
		"forged SignatureDoesNotMatch",
		"presigned True signed the old way",
		"tampered 403",
		"expired 403",
		"forged url 403",
		"post 204 posted from a browser",
		"post too big 400",
		"post forged 403",
	}, "\n")
	if strings.TrimSpace(out) != want {
		t.Fatalf("boto3 printed:\n%s\nwant:\n%s", out, want)
	}
	if fi, err := cl.m.Client().GetStatus(ctxT(t), "/v2-bucket/dir/o b", client.StatusOptions{}); err != nil || fi.Owner != "carol" {
		t.Fatalf("the object written with a version 2 signature: %+v, %v", fi, err)
	}
}
