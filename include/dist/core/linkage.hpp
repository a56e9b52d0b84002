// How dist's non-template functions are linked. Header-only use (the
// default): each header X.hpp includes X-inl.hpp, whose definitions are
// `inline`, so every translation unit compiles those it uses. With
// DIST_SEPARATE_COMPILATION, X.hpp only declares them and <dist/separate.hpp>
// (which defines DIST_SEPARATE_SOURCE) compiles them once for the program:
// user translation units parse and compile less (spdlog's and Asio's
// "header-only or compiled" split). Those definitions are weak, like the
// template instantiations separate compilation also provides, so a program
// may link several copies (a library and an executable that both link
// dist::separate).
#pragma once

#if !defined(DIST_SEPARATE_COMPILATION)
#define DIST_INLINE inline
#define DIST_INLINE_DEFINITIONS 1
#elif defined(DIST_SEPARATE_SOURCE)
#define DIST_INLINE [[gnu::weak]]
#define DIST_INLINE_DEFINITIONS 1
#else
#define DIST_INLINE
#define DIST_INLINE_DEFINITIONS 0
#endif
