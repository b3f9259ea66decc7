/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of lib/syslog5424: record lines to exact RFC 5424 messages in
 * RFC 6587 octet-counted frames (LOG-9), facility names, HOSTNAME escaping.
 */
#include "helpers.h"

#include "syslog5424.h"
#include "util.h"

#define PERMIT                                                                               \
	"{\"@timestamp\":\"2026-11-23T10:22:33.123456Z\",\"event.action\":\"permitted\","    \
	"\"rule.id\":\"floor1>server:intranet@app\"}"
#define DENY                                                                                 \
	"{\"@timestamp\":\"2026-11-23T10:22:34.000001Z\",\"event.action\":\"denied\","       \
	"\"rule.id\":\"floor1>internet:https!direct\"}"

static const struct syslog5424_header hdr = { .facility = 16, .hostname = "gw1.example", .procid = 4242 };

static char *frame(const struct syslog5424_header *h, const char *line, size_t len)
{
	struct strbuf sb = { 0 };

	assert_int_equal(syslog5424_frame(h, line, len, &sb), 0);
	return sb.buf;
}

static void permitted_record_is_local0_info_with_its_timestamp(void **state)
{
	const char *msg = "<134>1 2026-11-23T10:22:33.123456Z gw1.example gatewayd 4242 fw - " PERMIT;
	char want[512], *got;

	(void)state;
	snprintf(want, sizeof(want), "%zu %s", strlen(msg), msg);
	got = frame(&hdr, PERMIT, strlen(PERMIT));
	assert_string_equal(got, want);
	/* The octet count is of the message after "LEN SP", exactly. */
	assert_int_equal(strtoul(got, NULL, 10), strlen(strchr(got, ' ') + 1));
	free(got);
}

static void denied_record_is_notice_and_facility_applies(void **state)
{
	struct syslog5424_header h = { .facility = 4 /* auth */, .hostname = "gw", .procid = 1 };
	const char *msg = "<37>1 2026-11-23T10:22:34.000001Z gw gatewayd 1 fw - " DENY;
	char want[512], *got;

	(void)state;
	snprintf(want, sizeof(want), "%zu %s", strlen(msg), msg);
	got = frame(&h, DENY, strlen(DENY));
	assert_string_equal(got, want);
	free(got);
}

static void frames_append_back_to_back_without_newlines(void **state)
{
	struct strbuf sb = { 0 };
	char *one = frame(&hdr, PERMIT, strlen(PERMIT)), *two = frame(&hdr, DENY, strlen(DENY));
	char want[1024];

	(void)state;
	assert_int_equal(syslog5424_frame(&hdr, PERMIT, strlen(PERMIT), &sb), 0);
	assert_int_equal(syslog5424_frame(&hdr, DENY, strlen(DENY), &sb), 0);
	snprintf(want, sizeof(want), "%s%s", one, two);
	assert_string_equal(sb.buf, want);
	assert_null(memchr(sb.buf, '\n', sb.len));
	free(one);
	free(two);
	sb_fini(&sb);
}

static void only_the_given_length_of_the_line_is_sent(void **state)
{
	char line[] = PERMIT "\nNEXT";
	char *got;

	(void)state;
	got = frame(&hdr, line, strlen(PERMIT));
	assert_null(strstr(got, "NEXT"));
	assert_non_null(strstr(got, " fw - " PERMIT));
	free(got);
}

static void line_without_a_record_head_gets_nil_timestamp_and_notice(void **state)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
		{ "{}", "42 <133>1 - gw1.example gatewayd 4242 fw - {}" },
		/* A timestamp not of RFC 5424's form is not passed on. */
		{ "{\"@timestamp\":\"2026-11-23 10:22:33Z\"}",
		  "77 <133>1 - gw1.example gatewayd 4242 fw - {\"@timestamp\":\"2026-11-23 10:22:33Z\"}" },
		/* Seven fractional digits are more than TIME-SECFRAC allows. */
		{ "{\"@timestamp\":\"2026-11-23T10:22:33.1234567Z\"}",
		  "85 <133>1 - gw1.example gatewayd 4242 fw - {\"@timestamp\":\"2026-11-23T10:22:33.1234567Z\"}" },
		/* Without fraction, with the verdict: kept, informational. */
		{ "{\"@timestamp\":\"2026-11-23T10:22:33Z\",\"event.action\":\"permitted\"}",
		  "123 <134>1 2026-11-23T10:22:33Z gw1.example gatewayd 4242 fw - "
		  "{\"@timestamp\":\"2026-11-23T10:22:33Z\",\"event.action\":\"permitted\"}" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = frame(&hdr, cases[i].line, strlen(cases[i].line));

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void utf8_line_gets_the_bom_ascii_line_does_not(void **state)
{
	const char *line = "{\"observer.ingress.interface.name\":\"l\xc3\xa4n0\"}";
	char *got;

	(void)state;
	got = frame(&hdr, line, strlen(line));
	/* 3 BOM bytes count in LEN (RFC 5424 §6.4). */
	assert_string_equal(got, "86 <133>1 - gw1.example gatewayd 4242 fw - \xef\xbb\xbf"
				 "{\"observer.ingress.interface.name\":\"l\xc3\xa4n0\"}");
	free(got);
	got = frame(&hdr, PERMIT, strlen(PERMIT));
	assert_null(strstr(got, "\xef\xbb\xbf"));
	free(got);
}

static void line_with_a_nul_or_bad_facility_is_refused(void **state)
{
	struct syslog5424_header h = { .facility = 24, .hostname = "gw", .procid = 1 };
	struct strbuf sb = { 0 };

	(void)state;
	assert_int_equal(syslog5424_frame(&hdr, "{\0}", 3, &sb), -EINVAL);
	assert_int_equal(syslog5424_frame(&h, "{}", 2, &sb), -EINVAL);
	assert_int_equal(sb.len, 0);
	sb_fini(&sb);
}

static void nil_hostname_is_a_dash(void **state)
{
	struct syslog5424_header h = { .facility = 16, .hostname = NULL, .procid = 7 };
	char *got;

	(void)state;
	got = frame(&h, "{}", 2);
	assert_string_equal(got, "29 <133>1 - - gatewayd 7 fw - {}");
	free(got);
}

static void hostname_is_escaped_to_printusascii_and_cut_at_255(void **state)
{
	char buf[SYSLOG5424_HOSTNAME_MAX + 1], long_name[400];

	(void)state;
	assert_string_equal(syslog5424_hostname("gw1.example.org", buf, sizeof(buf)),
			    "gw1.example.org");
	assert_string_equal(syslog5424_hostname("gw 1\t\xc3\xa4\x7f", buf, sizeof(buf)),
			    "gw_1____");
	assert_string_equal(syslog5424_hostname("", buf, sizeof(buf)), "-");
	assert_string_equal(syslog5424_hostname(NULL, buf, sizeof(buf)), "-");
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(strlen(syslog5424_hostname(long_name, buf, sizeof(buf))), 255);
	assert_true(syslog5424_hostname_ok(buf));
	assert_false(syslog5424_hostname_ok(long_name));
	assert_false(syslog5424_hostname_ok("gw 1"));
	assert_false(syslog5424_hostname_ok(""));
	assert_true(syslog5424_hostname_ok("gw-1.example"));
}

static void facility_names_are_rfc5424s(void **state)
{
	(void)state;
	assert_int_equal(syslog5424_facility("kern"), 0);
	assert_int_equal(syslog5424_facility("daemon"), 3);
	assert_int_equal(syslog5424_facility("local0"), 16);
	assert_int_equal(syslog5424_facility("local7"), 23);
	assert_int_equal(syslog5424_facility("local8"), -1);
	assert_int_equal(syslog5424_facility("Local0"), -1);
	assert_int_equal(syslog5424_facility(""), -1);
}

/* The other day files' kinds: their MSGID, and an incident's fixed severity (alert). */
static void msgid_and_fixed_severity(void **state)
{
	struct syslog5424_header h = { .facility = 16, .hostname = "gw", .procid = 1,
				       .msgid = "incident", .fixed = true, .severity = 1 };
	const char *msg = "<129>1 2026-11-23T10:22:33.123456Z gw gatewayd 1 incident - " PERMIT;
	struct strbuf sb = { 0 };
	char want[512], *got;

	(void)state;
	snprintf(want, sizeof(want), "%zu %s", strlen(msg), msg);
	got = frame(&h, PERMIT, strlen(PERMIT));
	assert_string_equal(got, want);
	free(got);
	/* RFC 5424 6.2.7: MSGID is 1..32 PRINTUSASCII; a severity is 0..7. */
	h.msgid = "with space";
	assert_int_equal(syslog5424_frame(&h, PERMIT, strlen(PERMIT), &sb), -EINVAL);
	h.msgid = "";
	assert_int_equal(syslog5424_frame(&h, PERMIT, strlen(PERMIT), &sb), -EINVAL);
	h.msgid = "123456789012345678901234567890123";
	assert_int_equal(syslog5424_frame(&h, PERMIT, strlen(PERMIT), &sb), -EINVAL);
	h.msgid = "12345678901234567890123456789012";
	h.severity = 8;
	assert_int_equal(syslog5424_frame(&h, PERMIT, strlen(PERMIT), &sb), -EINVAL);
	h.severity = 7;
	assert_int_equal(syslog5424_frame(&h, PERMIT, strlen(PERMIT), &sb), 0);
	free(sb.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(permitted_record_is_local0_info_with_its_timestamp),
		cmocka_unit_test(denied_record_is_notice_and_facility_applies),
		cmocka_unit_test(frames_append_back_to_back_without_newlines),
		cmocka_unit_test(only_the_given_length_of_the_line_is_sent),
		cmocka_unit_test(line_without_a_record_head_gets_nil_timestamp_and_notice),
		cmocka_unit_test(utf8_line_gets_the_bom_ascii_line_does_not),
		cmocka_unit_test(line_with_a_nul_or_bad_facility_is_refused),
		cmocka_unit_test(nil_hostname_is_a_dash),
		cmocka_unit_test(hostname_is_escaped_to_printusascii_and_cut_at_255),
		cmocka_unit_test(facility_names_are_rfc5424s),
		cmocka_unit_test(msgid_and_fixed_severity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
