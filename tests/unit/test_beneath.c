/* test_beneath.c - opening corpus files beneath a directory (beneath.c),
 * both ways: beneath_open (openat2 on this kernel) and beneath_walk, the
 * fallback for kernels without openat2, which is run directly here. Each
 * case is checked with both: a file (nested, through "." and "//") opens;
 * a symbolic link as the file or as a directory on the way, a ".." out of
 * the directory, and a missing file are refused with their errno; a FIFO
 * opens at once (non-blocking) instead of hanging. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "testutil.h"

static char root[64];
static int dfd = -1;

static void write_file(const char *rel, const char *text)
{
    int fd = openat(dfd, rel, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* root/ holds d/e/f.txt ("inner"), link.txt -> d/e/f.txt, dlink -> d,
 * fifo; root's parent holds outside.txt, and d/up -> ../.. */
static void make_tree(void)
{
    snprintf(root, sizeof root, "/tmp/tokd-beneath-%d", (int)getpid());
    char outside[96];
    snprintf(outside, sizeof outside, "%s-outside.txt", root);
    ck_assert_int_eq(mkdir(root, 0755), 0);
    dfd = open(root, O_RDONLY | O_DIRECTORY);
    ck_assert_int_ge(dfd, 0);
    ck_assert_int_eq(mkdirat(dfd, "d", 0755), 0);
    ck_assert_int_eq(mkdirat(dfd, "d/e", 0755), 0);
    write_file("d/e/f.txt", "inner");
    ck_assert_int_eq(symlinkat("d/e/f.txt", dfd, "link.txt"), 0);
    ck_assert_int_eq(symlinkat("d", dfd, "dlink"), 0);
    ck_assert_int_eq(symlinkat("../..", dfd, "d/up"), 0);
    ck_assert_int_eq(mkfifoat(dfd, "fifo", 0644), 0);
    int fd = open(outside, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static void remove_tree(void)
{
    static const char *const files[] = {"d/e/f.txt", "link.txt", "dlink", "d/up", "fifo"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlinkat(dfd, files[i], 0);
    unlinkat(dfd, "d/e", AT_REMOVEDIR);
    unlinkat(dfd, "d", AT_REMOVEDIR);
    close(dfd);
    rmdir(root);
    char outside[96];
    snprintf(outside, sizeof outside, "%s-outside.txt", root);
    unlink(outside);
}

typedef int (*opener)(int, const char *);
static const opener openers[] = {beneath_open, beneath_walk};
static const char *const opener_names[] = {"beneath_open", "beneath_walk"};

/* `rel` opens, and reads "inner". */
static void opens(opener op, const char *name, const char *rel)
{
    int fd = op(dfd, rel);
    ck_assert_msg(fd >= 0, "%s(%s): %s", name, rel, strerror(errno));
    char got[16] = "";
    ck_assert_int_eq(read(fd, got, sizeof got - 1), 5);
    ck_assert_str_eq(got, "inner");
    close(fd);
}

/* `rel` is refused with one of the errnos a and b. */
static void refused(opener op, const char *name, const char *rel, int a, int b)
{
    errno = 0;
    int fd = op(dfd, rel);
    int e = errno;
    if (fd >= 0)
        close(fd);
    ck_assert_msg(fd < 0 && (e == a || e == b), "%s(%s): fd %d, errno %s", name, rel, fd, strerror(e));
}

START_TEST(files_beneath_open)
{
    opens(openers[_i], opener_names[_i], "d/e/f.txt");
    opens(openers[_i], opener_names[_i], "./d//e/f.txt");
}
END_TEST

START_TEST(links_and_escapes_refused)
{
    opener op = openers[_i];
    const char *name = opener_names[_i];
    refused(op, name, "link.txt", ELOOP, ELOOP);
    refused(op, name, "dlink/e/f.txt", ELOOP, ENOTDIR);
    refused(op, name, "d/up/tmp/x", ELOOP, ENOTDIR);
    char escape[128];
    snprintf(escape, sizeof escape, "../%s-outside.txt", strrchr(root, '/') + 1);
    refused(op, name, escape, EXDEV, EXDEV);
    refused(op, name, "d/../../x", EXDEV, EXDEV);
    refused(op, name, "d/e/missing.txt", ENOENT, ENOENT);
}
END_TEST

START_TEST(fifo_does_not_block)
{
    int fd = openers[_i](dfd, "fifo");
    ck_assert_msg(fd >= 0, "%s(fifo): %s", opener_names[_i], strerror(errno));
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
    close(fd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("beneath");
    TCase *tc = tcase_create("beneath");
    tcase_add_unchecked_fixture(tc, make_tree, remove_tree);
    tcase_add_loop_test(tc, files_beneath_open, 0, 2);
    tcase_add_loop_test(tc, links_and_escapes_refused, 0, 2);
    tcase_add_loop_test(tc, fifo_does_not_block, 0, 2);
    suite_add_tcase(s, tc);
    return test_run(s);
}
