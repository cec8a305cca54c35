/* tokd/export.h - what every public header wraps its declarations in.
 *
 * TOKD_BEGIN_DECLS / TOKD_END_DECLS give the declarations between them C
 * linkage under C++ (extern "C") and default visibility: libtokd is built
 * with -fvisibility=hidden, so exactly the functions declared in
 * include/tokd/ are exported from the shared library and every internal
 * tokd__ symbol stays hidden. System headers are included before
 * TOKD_BEGIN_DECLS, never inside it.
 *
 * Thread-safety: declarations only. */
#ifndef TOKD_EXPORT_H
#define TOKD_EXPORT_H

#ifdef __cplusplus
#define TOKD__EXTERN_C_BEGIN extern "C" {
#define TOKD__EXTERN_C_END }
#else
#define TOKD__EXTERN_C_BEGIN
#define TOKD__EXTERN_C_END
#endif

#if defined(__GNUC__)
#define TOKD__VISIBLE_BEGIN _Pragma("GCC visibility push(default)")
#define TOKD__VISIBLE_END _Pragma("GCC visibility pop")
#else
#define TOKD__VISIBLE_BEGIN
#define TOKD__VISIBLE_END
#endif

#define TOKD_BEGIN_DECLS TOKD__EXTERN_C_BEGIN TOKD__VISIBLE_BEGIN
#define TOKD_END_DECLS TOKD__VISIBLE_END TOKD__EXTERN_C_END

#endif
