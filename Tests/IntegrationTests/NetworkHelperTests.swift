import Foundation
import TestSupport
import Testing

/// Every transfer runs in the network helper: another user, no capabilities, no new
/// privileges, a seccomp filter; the root process never loads libcurl and survives any helper.
/// The loopback servers record the owner of each client socket (`/proc/net/tcp`).
@Suite struct NetworkHelperTests {
    @Test func fetchAsksTheServerAsAnotherUser() throws {
        let setup = try NetworkImportTests.Setup("helper-fetch")
        let result = try setup.fetch(setup.https.baseURL + "/files/EMP-NET.lic", ["--cacert", setup.ca.caPath])
        #expect(result.status == 0, "\(result)")
        let peers = setup.https.peers()
        #expect(peers.count == 1 && peers.allSatisfy { ($0.uid ?? 0) != 0 }, "\(peers)")
    }

    @Test func activateAsksTheServerAsAnotherUser() throws {
        let setup = try ActivationTests.Setup("helper-activate")
        let result = try setup.activate(["--server", setup.server.baseURL, "--cacert", setup.ca.caPath])
        #expect(result.status == 0, "\(result)")
        let peers = setup.server.peers()
        #expect(peers.map(\.path) == ["/v1/evaluation"] && peers.allSatisfy { ($0.uid ?? 0) != 0 }, "\(peers)")
    }

    @Test func deployPollsAndDownloadsAsAnotherUser() throws {
        let setup = try DeployTests.Setup()
        try setup.settings(link: nil)
        let link = try setup.ums.serve("PAS-7QK2M.lic", setup.license(product: "PAS"))
        try setup.ums.offer(link, to: DeviceTree.fixtureUnit)
        let result = try setup.deploy()
        #expect(result.status == 0, "\(result)")
        let requests = setup.ums.requests().filter { $0.method == "GET" }
        #expect(requests.map(\.path) == ["/v1/devices/00E0C51C5087/license", "/licenses/PAS-7QK2M.lic"])
        #expect(requests.allSatisfy { ($0.peerUID ?? 0) != 0 }, "\(requests)")
    }

    /// While a slow download runs: the helper's identity, capabilities and filter as the
    /// kernel reports them, and no libcurl in the root process.
    @Test func theRunningHelperIsConfined() throws {
        let setup = try NetworkImportTests.Setup("helper-confined")
        let agent = try Self.fetchInBackground(setup, path: "/slow/EMP-NET.lic")
        let helper = try #require(Self.waitForHelper(of: setup.fixture.root), "no network helper was seen")
        let status = try String(contentsOfFile: "/proc/\(helper.pid)/status", encoding: .utf8)
        let field = { (name: String) in
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }.map { $0.dropFirst(name.count + 1).split(separator: "\t").map(String.init) } ?? []
        }
        let uids = field("Uid"), gids = field("Gid")
        #expect(uids.count == 4 && Set(uids).count == 1 && uids[0] != "0", "Uid: \(uids)")
        #expect(gids.count == 4 && Set(gids).count == 1 && gids[0] != "0", "Gid: \(gids)")
        #expect(field("Groups").allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }, "Groups: \(field("Groups"))")
        #expect(field("CapEff") == ["0000000000000000"] && field("CapPrm") == ["0000000000000000"])
        #expect(field("NoNewPrivs") == ["1"])
        #expect(field("Seccomp") == ["2"])
        let maps = try String(contentsOfFile: "/proc/\(helper.parent)/maps", encoding: .utf8)
        #expect(!maps.contains("libcurl"), "the root process mapped libcurl")
        let result = try agent.wait()
        #expect(result.status == 0, "\(result)")
        #expect(try setup.fixture.installed() == ["EMP-NET.lic"])
    }

    @Test func aHelperKilledBySignalIsOneSentenceAndChangesNothing() throws {
        let setup = try NetworkImportTests.Setup("helper-killed")
        let agent = try Self.fetchInBackground(setup, path: "/slow/EMP-NET.lic")
        let helper = try #require(Self.waitForHelper(of: setup.fixture.root), "no network helper was seen")
        kill(helper.pid, SIGKILL)
        try Self.expectOneSentenceAndNothingInstalled(try agent.wait(), saying: "the network helper was killed by signal 9", setup)
    }

    /// A system call outside the allow-list (here `mkdir`, made by a preloaded library when the
    /// helper connects) kills the helper with SIGSYS: the filter is real.
    @Test func aForbiddenSystemCallKillsTheHelper() throws {
        let setup = try NetworkImportTests.Setup("helper-filter")
        let result = try Self.fetch(setup, preloading: """
            #include <sys/stat.h>
            int connect(int fd, const struct sockaddr *address, socklen_t length) {
                if (getuid() != 0) mkdir("/tmp/license-agent-filter-probe", 0700);
                return ((int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect"))(fd, address, length);
            }
            """)
        try Self.expectOneSentenceAndNothingInstalled(result, saying: "the network helper was stopped by its system-call filter", setup)
        #expect(setup.https.peers().isEmpty, "the helper reached the server")
    }

    /// An answer the root process cannot read (a preloaded library garbles the helper's stdout).
    @Test func aGarbledAnswerIsOneSentenceAndChangesNothing() throws {
        let setup = try NetworkImportTests.Setup("helper-garbage")
        let result = try Self.fetch(setup, preloading: """
            ssize_t write(int fd, const void *bytes, size_t count) {
                ssize_t (*real)(int, const void *, size_t) = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
                if (getuid() != 0 && fd == 1) { real(fd, "LAA1garbage", 11); return (ssize_t)count; }
                return real(fd, bytes, count);
            }
            """)
        try Self.expectOneSentenceAndNothingInstalled(result, saying: "the network helper's answer is malformed", setup)
    }

    /// A helper that hangs (a preloaded library blocks it in `connect`, where libcurl's own time
    /// limit cannot reach it) is killed by the root process at the transfer's limit (30 s)
    /// plus its start-up allowance.
    @Test func aHangingHelperIsStoppedAtTheTimeLimit() throws {
        let setup = try NetworkImportTests.Setup("helper-hang")
        let result = try Self.fetch(setup, preloading: """
            int connect(int fd, const struct sockaddr *address, socklen_t length) {
                if (getuid() != 0) for (;;) sleep(1000);
                return ((int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect"))(fd, address, length);
            }
            """)
        try Self.expectOneSentenceAndNothingInstalled(result, saying: "did not finish within 30 seconds and was stopped", setup)
    }

    /// `file:` URLs are read as the helper's user: a file only root can read is not fetched,
    /// and the sentence says to use `import`.
    @Test func aFileOnlyRootCanReadIsNotFetched() throws {
        let setup = try NetworkImportTests.Setup("helper-file")
        try ProcessRunner.checked(["chmod", "o+x", setup.fixture.directory.path])
        let secret = try setup.fixture.directory.write("served/secret.lic", try Data(contentsOf: URL(fileURLWithPath: setup.files + "/EMP-NET.lic")), mode: 0o600)
        let result = try setup.fetch("file://" + secret)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("use `license-agent import FILE`"), "\(result.stderr)")
        #expect(try setup.fixture.installed().isEmpty)
    }

    /// A host name other than `localhost` is resolved by libcurl in a thread, which glibc starts
    /// with `clone3`; the filter answers ENOSYS and glibc falls back to `clone`, which it allows
    /// for threads. The helper survives and reaches the TLS handshake (which then refuses the
    /// name, absent from the test certificate). Needs a host name that resolves to loopback
    /// without DNS, as this machine's own does on CI's machines (/etc/hosts).
    @Test(.enabled(if: NetworkHelperTests.loopbackHostName != nil))
    func aNameIsResolvedInAThreadUnderTheFilter() throws {
        let setup = try NetworkImportTests.Setup("helper-resolver")
        let name = try #require(Self.loopbackHostName)
        let result = try setup.fetch("https://\(name):\(setup.https.port)/files/EMP-NET.lic", ["--cacert", setup.ca.caPath])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("certificate subject name"), "\(result.stderr)")
        #expect(!result.stderr.contains("network helper"), "\(result.stderr)")
    }

    /// This machine's host name when /etc/hosts (or any source but DNS) maps it to 127.0.0.0/8.
    static let loopbackHostName: String? = {
        guard let name = try? String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty, name != "localhost",
              let hosts = try? ProcessRunner.run(["getent", "ahostsv4", name]), hosts.status == 0,
              hosts.stdout.hasPrefix("127.") else { return nil }
        return name
    }()

    // MARK: Helpers

    /// `license-agent fetch` of a served license, with a library made of `body` preloaded into
    /// the agent and so into its helper (the root process is left alone by `getuid() != 0`).
    static func fetch(_ setup: NetworkImportTests.Setup, preloading body: String) throws -> ProcessResult {
        let library = try preload(body, in: setup.fixture.directory)
        return try ProcessRunner.run([Umockdev.agent, "fetch", "--root", setup.fixture.root,
                                      setup.https.baseURL + "/files/EMP-NET.lic", "--cacert", setup.ca.caPath],
                                     environment: ["LD_PRELOAD": library])
    }

    /// Exit 1, one line on stderr that says `text`, and no license installed.
    static func expectOneSentenceAndNothingInstalled(_ result: ProcessResult, saying text: String,
                                                     _ setup: NetworkImportTests.Setup) throws {
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains(text), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one sentence: \(result.stderr)")
        #expect(try setup.fixture.installed().isEmpty)
    }

    /// `license-agent fetch` of `path` on the test server, running in the background.
    static func fetchInBackground(_ setup: NetworkImportTests.Setup, path: String) throws -> BackgroundProcess {
        try BackgroundProcess([Umockdev.agent, "fetch", "--root", setup.fixture.root, setup.https.baseURL + path,
                               "--cacert", setup.ca.caPath])
    }

    /// The network helper (pid, and its parent's) whose parent runs with `--root root`, once it
    /// is confined (Seccomp: 2); nil when none appears within ten seconds.
    static func waitForHelper(of root: String) -> (pid: Int32, parent: Int32)? {
        for _ in 0..<1000 {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = Int32(entry),
                      let command = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")),
                      command.split(separator: 0).last.map({ String(decoding: $0, as: UTF8.self) }) == "__network-helper",
                      let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                      status.contains("Seccomp:\t2"),
                      let parentLine = status.split(separator: "\n").first(where: { $0.hasPrefix("PPid:") }),
                      let parent = Int32(parentLine.dropFirst(5).trimmingCharacters(in: .whitespaces)),
                      let parentCommand = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(parent)/cmdline")),
                      String(decoding: parentCommand, as: UTF8.self).contains(root) else { continue }
                return (pid, parent)
            }
            usleep(10_000)
        }
        return nil
    }

    /// A shared library made from `body` with the system's C compiler, for LD_PRELOAD.
    static func preload(_ body: String, in directory: TemporaryDirectory) throws -> String {
        let source = try directory.write("preload.c", """
            #define _GNU_SOURCE
            #include <dlfcn.h>
            #include <sys/socket.h>
            #include <sys/types.h>
            #include <unistd.h>
            \(body)

            """)
        let library = directory.appending("preload.so")
        try ProcessRunner.checked([try ProcessRunner.resolve("cc"), "-shared", "-fPIC", "-o", library, source, "-ldl"])
        return library
    }
}
