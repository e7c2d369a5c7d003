import Foundation

#if FUZZING
/// libFuzzer's driver, from `libclang_rt.fuzzer_no_main` (scripts/fuzz.sh links it): the package
/// gives an executable its own `main`, so libFuzzer's is not used and this one hands over to it.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

nonisolated(unsafe) private var selected: FuzzTarget?

/// `SlipwayFuzz TARGET [libFuzzer flags and corpus directories]`.
@_cdecl("SlipwayFuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    let arguments = (0..<Int(argc)).map { String(cString: argv[$0]!) }
    guard arguments.count >= 2, let target = FuzzTargets.named(arguments[1]) else {
        return usage(arguments.dropFirst().first)
    }
    selected = target
    warmUp(target, inputsIn: arguments.dropFirst(2).filter { !$0.hasPrefix("-") })
    // libFuzzer sees the program name and the rest, without the target's name.
    var rest: [UnsafeMutablePointer<CChar>?] = [argv[0]] + (2..<Int(argc)).map { argv[$0] } + [nil]
    var count = CInt(argc - 1)
    return rest.withUnsafeMutableBufferPointer { buffer in
        var pointer = buffer.baseAddress
        return LLVMFuzzerRunDriver(&count, &pointer) { data, size in
            let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
            selected!.run(bytes)
            return 0
        }
    }
}

/// Runs the corpus once before libFuzzer counts allocations: the first use of a lazily created
/// global (a compiled `Regex`, a decoder's tables) is not a leak of the input that caused it.
private func warmUp(_ target: FuzzTarget, inputsIn directories: [String]) {
    for directory in directories {
        for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            if let data = FileManager.default.contents(atPath: directory + "/" + file) { target.run(Array(data)) }
        }
    }
}
#else

/// Without fuzzing instrumentation (the ordinary debug build) the program replays inputs:
/// `SlipwayFuzz TARGET FILE-OR-DIRECTORY...` runs each file through the target once.
@main
struct ReplayInputs {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, let target = FuzzTargets.named(arguments[1]) else {
            exit(usage(arguments.dropFirst().first))
        }
        var replayed = 0
        for path in arguments.dropFirst(2) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                print("no such file or directory: \(path)")
                exit(2)
            }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                target.run(Array(data))
                replayed += 1
            }
        }
        print("\(target.name): replayed \(replayed) inputs")
    }
}
#endif

/// Lists the targets; 2 when the name given is none of them.
func usage(_ given: String?) -> CInt {
    if let given, given != "--list" { print("unknown fuzz target \(given); the targets are:") }
    for target in FuzzTargets.all { print("\(target.name)\t\(target.input)") }
    return given == "--list" ? 0 : 2
}
