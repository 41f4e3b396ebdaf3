package runner

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/metrics"
	"github.com/vedette/vedette/internal/metrics/metricstest"
)

// cloudTrailObjects groups CloudTrail records (JSON lines) into the
// objects CloudTrail delivers: gzip {"Records":[...]} per minute, under
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/.
func cloudTrailObjects(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	groups := map[string][]json.RawMessage{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var r struct {
			EventTime          time.Time `json:"@timestamp"` // OTRF keeps CloudTrail's eventTime here
			AWSRegion          string    `json:"awsRegion"`
			RecipientAccountID string    `json:"recipientAccountId"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		at := r.EventTime.UTC().Truncate(time.Minute)
		key := fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%sZ_a1b2.json.gz", r.RecipientAccountID, r.AWSRegion,
			at.Format("2006/01/02"), r.RecipientAccountID, r.AWSRegion, at.Format("20060102T1504"))
		groups[key] = append(groups[key], append(json.RawMessage(nil), sc.Bytes()...))
	}
	out := map[string][]byte{}
	for key, recs := range groups {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		if err := json.NewEncoder(zw).Encode(map[string]any{"Records": recs}); err != nil {
			t.Fatal(err)
		}
		zw.Close()
		out[key] = b.Bytes()
	}
	return out
}

// trailBucket serves an in-memory S3 (gofakes3) on loopback with the
// bucket org-trail, credentials in the environment. It returns the
// server's URL, the objects' keys in order and put, which uploads some.
func trailBucket(t *testing.T, objects map[string][]byte) (url string, keys []string, put func([]string)) {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(trailBucketName)}); err != nil {
		t.Fatal(err)
	}
	for k := range objects {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	put = func(ks []string) {
		for _, k := range ks {
			if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(trailBucketName), Key: aws.String(k), Body: bytes.NewReader(objects[k])}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return srv.URL, keys, put
}

const trailBucketName = "org-trail"

// TestCloudTrailBucketReadOnce: the OTRF EC2 credential-exfiltration
// trail delivered to an S3 bucket (gofakes3, in process, on loopback) as
// CloudTrail writes it gives the alerts of the same records read from a
// file (none: the trail is benign, see TestBenignBaselinesStayQuiet);
// objects delivered later are read by the next run, and nothing is read
// twice or missed.
func TestCloudTrailBucketReadOnce(t *testing.T) {
	path := external(t, "otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json")
	objects := cloudTrailObjects(t, path)
	srvURL, keys, put := trailBucket(t, objects)
	t.Setenv("AWS_ENDPOINT_URL_S3", srvURL)
	const bucket = trailBucketName
	half := len(keys) / 2
	put(keys[:half])
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	url := "s3://" + bucket + "/AWSLogs/"
	first, s1 := detectFiles(t, cfg, url)
	put(keys[half:])
	second, s2 := detectFiles(t, cfg, url)
	_, s3sum := detectFiles(t, cfg, url)

	cfg.DataDir = t.TempDir()
	fromFile, sf := detectFiles(t, cfg, path)
	if s1.Read+s2.Read != sf.Read || s3sum.Read != 0 || len(objects) < 2 {
		t.Fatalf("events read %d + %d (then %d) from %d objects, %d from the file", s1.Read, s2.Read, s3sum.Read, len(objects), sf.Read)
	}
	if diff := cmp.Diff(ids(fromFile), ids(append(first, second...))); diff != "" {
		t.Errorf("bucket differs from file (-file +bucket):\n%s", diff)
	}
}

// TestServePollsS3LikeBatch: CloudTrail objects (gzip, CloudTrail's key
// layout) delivered to a bucket while serve polls it, serve restarted
// between deliveries: each object is read once, and the stored alerts and
// events applied equal one batch of the final bucket.
func TestServePollsS3LikeBatch(t *testing.T) {
	path := external(t, "otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json")
	objects := cloudTrailObjects(t, path)
	srvURL, keys, put := trailBucket(t, objects)
	const bucket = trailBucketName
	half := len(keys) / 2
	put(keys[:half])
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = nil, nil
	cfg.Activity.CommitInterval = 30 * time.Millisecond
	cfg.Sources.S3 = []config.S3Source{{Bucket: bucket, Endpoint: srvURL, Polling: config.Polling{Prefix: "AWSLogs/", PollInterval: 20 * time.Millisecond}}}
	clock := func() time.Time { return time.Date(2020, 9, 15, 0, 0, 0, 0, time.UTC) }
	run1 := cloudServe(t, cfg, false, clock, func(c CloudCounters) bool { return c.CaughtUp >= 2 })
	put(keys[half:])
	reg := metrics.New()
	scrape := httptest.NewServer(reg.Handler())
	defer scrape.Close()
	run2 := cloudServeOpts(t, cfg, ServeOptions{FlushOnStop: true, Clock: clock, Metrics: reg}, func(c CloudCounters) bool { return c.CaughtUp >= 1 })
	fams, err := metricstest.Scrape(scrape.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		name string
		want float64
	}{
		{"vedette_cloud_blob_reads_total", float64(run2.Chunks)},
		{"vedette_cloud_records_total", float64(run2.Events)},
		{"vedette_cloud_errors_total", 0},
		{"vedette_cloud_throttled_total", 0},
	} {
		if v, ok := fams.Value(m.name, "source", "s3:"+bucket); !ok || v != m.want {
			t.Errorf("%s = %v (%v), want %v", m.name, v, ok, m.want)
		}
	}
	if v, _ := fams.Value("vedette_cloud_bytes_read_total", "source", "s3:"+bucket); v < float64(len(objects[keys[half]])) {
		t.Errorf("bytes read %v", v)
	}

	batchCfg := config.Default()
	batchCfg.DataDir = t.TempDir()
	t.Setenv("AWS_ENDPOINT_URL_S3", srvURL)
	batch, sum := detectFiles(t, batchCfg, "s3://"+bucket+"/AWSLogs/")
	if run1.Events+run2.Events != sum.Read || run1.Chunks != half || run2.Chunks < len(keys)-half || sum.Read == 0 || run1.Late+run2.Late != 0 {
		t.Errorf("applied %d+%d events from %d+%d objects (skipped %d again, %d late); batch %d events from %d objects",
			run1.Events, run2.Events, run1.Chunks, run2.Chunks, run2.Replayed, run1.Late+run2.Late, sum.Read, len(objects))
	}
	if diff := cmp.Diff(ids(batch), storedIDs(t, cfg)); diff != "" {
		t.Errorf("live polling differs from batch (-batch +live):\n%s", diff)
	}
	t.Logf("%d objects, %d events (%d + %d live, %d held at the restart)", len(objects), sum.Read, run1.Events, run2.Events, run1.Held)
}
