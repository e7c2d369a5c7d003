/// Gives memory the process has freed back to the system.
///
/// Why: a controller's first lists decode every page of every watched kind at once (50,000
/// requests are hundreds of megabytes of transient buffers and parsed trees); once the caches
/// hold their objects that memory is free, but glibc's allocator keeps the pages mapped, so the
/// process's resident size stays at the peak of start-up for as long as it runs.
public enum FreedMemory {
    /// Returns free heap pages to the system (glibc's `malloc_trim`); a no-op elsewhere.
    public static func release() {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }
}

#if os(Linux)
/// `int malloc_trim(size_t pad)` from glibc's <malloc.h>, which the Glibc module does not export.
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
