/* exedir.h: where the running program is (module prefix exe_).
 *
 * An uninstalled build (README's first command runs ./syncdoctor in the
 * source tree; the tests run it in the build folder) finds its data files
 * relative to its own executable, never through a build folder's path
 * compiled into the binary: such a path would make two builds of one
 * commit differ and would leak the builder's folders into packages.
 * Installed programs use their compiled-in data directories first; these
 * functions are the fallback.
 *
 * Linux only: the executable is read from /proc/self/exe. Where that link
 * cannot be read, both functions return NULL. */
#ifndef SD_EXEDIR_H
#define SD_EXEDIR_H

/* The directory of the running executable, without a trailing slash
 * ("/usr/bin"), or NULL. The caller frees it. */
char *exe_dir(void);

/* The first readable DIR/rel, for DIR the executable's directory and then
 * up to `parents` of its parent directories (the unit tests run from
 * BUILD/tests/unit and look for BUILD/data/...), or NULL. rel is relative
 * ("data/mapeo-versions.yaml"). The caller frees the result. */
char *exe_find(const char *rel, int parents);

#endif
