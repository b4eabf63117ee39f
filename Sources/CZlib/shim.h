// The system zlib, for BundleFormat's compressed bundle bodies.
//
// `deflateInit2` and `inflateInit2` are C macros (they pass zlib's version and the size of
// `z_stream` to the real entry points), which Swift cannot call; these inline functions wrap them.
#ifndef FIELDAUDIT_CZLIB_SHIM_H
#define FIELDAUDIT_CZLIB_SHIM_H

#include <zlib.h>

/// `deflateInit2(strm, level, method, windowBits, memLevel, strategy)`.
static inline int czlib_deflateInit2(z_streamp strm, int level, int method, int windowBits, int memLevel,
                                     int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}

/// `inflateInit2(strm, windowBits)`.
static inline int czlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

#endif
