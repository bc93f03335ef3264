/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup.c: parsing /proc/PID/cgroup, lxc's sibling names, and whether a
 * process's cgroups are those recorded for a container (the check made
 * before every signal). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "container.h"
#include "util.h"

static const char proc_cgroup[] =
	"12:pids:/lxc.payload.web\n"
	"5:memory:/lxc.payload.web\n"
	"4:cpu,cpuacct:/lxc.payload.web\n"
	"1:name=systemd:/lxc.payload.web\n"
	"0::/lxc.payload.web\n";

static void
parse (const char *text, struct kv **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	cgroup_parse_proc (text, "/sys/fs/cgroup/unified", v, n);
}

static void
test_parse_proc (void **state UNUSED)
{
	struct kv *v;
	size_t n;

	parse (proc_cgroup, &v, &n);
	assert_int_equal (n, 6);
	assert_string_equal (kv_get (v, n, "memory"), "/sys/fs/cgroup/memory/lxc.payload.web");
	assert_string_equal (kv_get (v, n, "cpuacct"), "/sys/fs/cgroup/cpu,cpuacct/lxc.payload.web");
	assert_string_equal (kv_get (v, n, "systemd"), "/sys/fs/cgroup/systemd/lxc.payload.web");
	assert_string_equal (kv_get (v, n, "unified"), "/sys/fs/cgroup/unified/lxc.payload.web");
	kv_free (v, n);
}

static void
test_payload_of (void **state UNUSED)
{
	assert_true (cgroup_is_payload_of ("lxc.payload.web", "web"));
	assert_true (cgroup_is_payload_of ("lxc.payload.web-1", "web"));
	assert_true (cgroup_is_payload_of ("lxc.payload.web-12", "web"));
	assert_false (cgroup_is_payload_of ("lxc.payload.web-", "web"));
	assert_false (cgroup_is_payload_of ("lxc.payload.web-x", "web"));
	assert_false (cgroup_is_payload_of ("lxc.payload.webx", "web"));
	assert_false (cgroup_is_payload_of ("lxc.payload.we", "web"));
	assert_false (cgroup_is_payload_of ("lxc.monitor.web", "web"));
	assert_false (cgroup_is_payload_of ("memory", "web"));
	assert_false (cgroup_is_payload_of ("", "web"));
}

static void
test_sibling (void **state UNUSED)
{
	char *s = cgroup_lxc_sibling ("/sys/fs/cgroup/memory/lxc.payload.web-1", "monitor");

	assert_string_equal (s, "/sys/fs/cgroup/memory/lxc.monitor.web-1");
	free (s);
	assert_null (cgroup_lxc_sibling ("/sys/fs/cgroup/memory", "monitor"));
	assert_null (cgroup_lxc_sibling ("/sys/fs/cgroup/memory/lxc.payload.", "monitor"));
}

static void
check_match (const char *recorded, const char *live, const char *id, bool want, const char *why_has)
{
	struct kv *r, *l;
	size_t nr, nl;
	char why[256];

	parse (recorded, &r, &nr);
	parse (live, &l, &nl);
	if (cgroup_matches_record (r, nr, l, nl, id, why, sizeof why) != want)
		fail_msg ("match of %s in [%s] vs [%s]: expected %d (%s)", id, recorded, live, want, why);
	if (!want && strstr (why, why_has) == NULL)
		fail_msg ("reason \"%s\" does not contain \"%s\"", why, why_has);
	kv_free (r, nr);
	kv_free (l, nl);
}

static void
test_matches_record (void **state UNUSED)
{
	/* The container's own init. */
	check_match (proc_cgroup, proc_cgroup, "web", true, NULL);
	/* Moved below its cgroup by a privileged workload: still ours. */
	check_match ("5:memory:/lxc.payload.web\n", "5:memory:/lxc.payload.web/inner\n", "web", true, NULL);
	/* Hierarchies lxc leaves at the root are ignored. */
	check_match ("5:memory:/lxc.payload.web\n3:rdma:/\n", "5:memory:/lxc.payload.web\n3:rdma:/\n", "web", true,
	             NULL);
	/* A host process (the host's init) is not in them. */
	check_match (proc_cgroup, "12:pids:/\n5:memory:/\n4:cpu,cpuacct:/\n1:name=systemd:/\n0::/\n", "web", false,
	             "not in the container's");
	/* Another container's init is not in them. */
	check_match ("5:memory:/lxc.payload.web\n", "5:memory:/lxc.payload.db\n", "web", false, "not in the container's memory");
	/* A prefix is not "below": lxc.payload.web-1 is another container. */
	check_match ("5:memory:/lxc.payload.web\n", "5:memory:/lxc.payload.web-1\n", "web", false, "not in");
	/* A controller missing from the process. */
	check_match (proc_cgroup, "5:memory:/lxc.payload.web\n", "web", false, "not in the container's pids");
	/* A record forged to the process's own (root) cgroups. */
	check_match ("5:memory:/\n0::/\n", "5:memory:/\n0::/\n", "web", false, "no container cgroup");
	/* A record naming another container's cgroups. */
	check_match ("5:memory:/lxc.payload.db\n", "5:memory:/lxc.payload.db\n", "web", false, "no container cgroup");
	/* Nothing recorded. */
	check_match ("", proc_cgroup, "web", false, "no container cgroup");
}

static void
test_nspid (void **state UNUSED)
{
	assert_true (container_nspid_is_init ("Name:\tsh\nNSpid:\t4242\t1\nNSpgid:\t4242\t1\n"));
	assert_true (container_nspid_is_init ("Name:\tsh\nNSpid:\t4242\t7\t1\n"));
	/* The host's init, and a host process. */
	assert_false (container_nspid_is_init ("Name:\tinit\nNSpid:\t1\n"));
	assert_false (container_nspid_is_init ("Name:\tsleep\nNSpid:\t4242\n"));
	/* A process inside a container, not its init. */
	assert_false (container_nspid_is_init ("Name:\tsleep\nNSpid:\t4243\t2\n"));
	assert_false (container_nspid_is_init ("Name:\tsleep\n"));
	assert_false (container_nspid_is_init (NULL));
}

/* A fake cgroup dir with the files stats and the OOM verdict read. */
static char *
fake_cgroup (void)
{
	char tmpl[] = "/tmp/test-cgroup.XXXXXX";
	char *dir = xstrdup (mkdtemp (tmpl));
	static const char *const files[][2] = {
		{ "memory.max", "max\n" },
		{ "memory.current", "4096\n" },
		{ "memory.peak", "8192\n" },
		{ "memory.events", "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n" },
		{ "cpu.stat", "usage_usec 250\nuser_usec 200\nsystem_usec 50\n" },
		{ "pids.current", "3\n" },
		{ "pids.max", "50\n" },
		{ "cgroup.freeze", "1\n" },
	};

	for (size_t i = 0; i < ARRAY_SIZE (files); i++) {
		_cleanup_free_ char *path = xasprintf ("%s/%s", dir, files[i][0]);
		FILE *f = fopen (path, "w");
		assert_non_null (f);
		fputs (files[i][1], f);
		fclose (f);
	}
	return dir;
}

static void
remove_fake (char *dir)
{
	_cleanup_free_ char *cmd = xasprintf ("rm -rf '%s'", dir);
	assert_int_equal (system (cmd), 0);
	free (dir);
}

static void
test_read_u64 (void **state UNUSED)
{
	char *dir = fake_cgroup ();

	assert_int_equal (cgroup_read_u64 (dir, "memory.max", NULL), LXCSHIM_UNLIMITED);
	assert_int_equal (cgroup_read_u64 (dir, "memory.current", NULL), 4096);
	/* The key, not a longer one that starts with it, nor "oom". */
	assert_int_equal (cgroup_read_u64 (dir, "memory.events", "oom_kill"), 1);
	assert_int_equal (cgroup_read_u64 (dir, "memory.events", "oom"), 2);
	assert_int_equal (cgroup_read_u64 (dir, "memory.events", "nothere"), 0);
	assert_int_equal (cgroup_read_u64 (dir, "nothere", NULL), 0);
	assert_int_equal (cgroup_read_u64 (NULL, "memory.max", NULL), 0);
	remove_fake (dir);
}

static void
test_stats_v2 (void **state UNUSED)
{
	char *dir = fake_cgroup ();
	struct kv *cg = NULL;
	size_t n = 0;
	struct lxcshim_stats st = { 0 };

	/* A pure v2 record: every figure comes from the unified cgroup. */
	kv_add (&cg, &n, "unified", dir);
	cgroup_stats (cg, n, &st);
	assert_int_equal (st.memory_usage, 4096);
	assert_int_equal (st.memory_limit, LXCSHIM_UNLIMITED);
	assert_int_equal (st.memory_max_usage, 8192);
	assert_int_equal (st.oom_kills, 1);
	assert_int_equal (st.cpu_usage_ns, 250000);
	assert_int_equal (st.pids_current, 3);
	assert_int_equal (st.pids_limit, 50);
	assert_int_equal (cgroup_frozen (cg, n), 1);
	kv_free (cg, n);
	remove_fake (dir);
}

static void
test_list_has (void **state UNUSED)
{
	const char *ctrls = "cpuset cpu io memory hugetlb pids rdma misc\n";

	assert_true (cgroup_list_has (ctrls, "cpuset"));
	assert_true (cgroup_list_has (ctrls, "cpu"));
	assert_true (cgroup_list_has (ctrls, "misc"));
	assert_true (cgroup_list_has (ctrls, "pids"));
	/* Whole words only. */
	assert_false (cgroup_list_has ("cpuset io\n", "cpu"));
	assert_false (cgroup_list_has ("hugetlb\n", "huge"));
	assert_false (cgroup_list_has ("", "memory"));
	assert_false (cgroup_list_has ("\n", "memory"));
}

int
main (void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test (test_parse_proc),
		cmocka_unit_test (test_payload_of),
		cmocka_unit_test (test_sibling),
		cmocka_unit_test (test_matches_record),
		cmocka_unit_test (test_nspid),
		cmocka_unit_test (test_read_u64),
		cmocka_unit_test (test_stats_v2),
		cmocka_unit_test (test_list_has),
	};
	return cmocka_run_group_tests (tests, NULL, NULL);
}
