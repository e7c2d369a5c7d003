import ChatOps
import HTTP
import Testing

@Suite struct GitHubCommitResolverTests {
    let sha = "0123456789abcdef0123456789abcdef01234567"

    @Test func theNewestCommitOfTheBranchIsTaken() async throws {
        let github = FakeGitHub(heads: ["shop/web@main": sha])
        try await github.serve { url in
            let resolver = GitHubCommitResolver(settings: GitHubSettings(apiBaseURL: url), client: try HTTPClient())
            #expect(try await resolver.newestCommit(owner: "shop", repo: "web", branch: "main") == sha)
        }
        #expect(github.seenAuthorizations == [nil])
    }

    @Test func theTokenIsSentAndNeverShownInErrors() async throws {
        let github = FakeGitHub(heads: ["shop/web@main": sha], requiredToken: "ghp_right")
        try await github.serve { url in
            let good = GitHubCommitResolver(settings: GitHubSettings(apiBaseURL: url, token: "ghp_right"), client: try HTTPClient())
            #expect(try await good.newestCommit(owner: "shop", repo: "web", branch: "main") == sha)
            let bad = GitHubCommitResolver(settings: GitHubSettings(apiBaseURL: url, token: "ghp_wrong"), client: try HTTPClient())
            do {
                _ = try await bad.newestCommit(owner: "shop", repo: "web", branch: "main")
                Issue.record("a refused token resolved a commit")
            } catch {
                #expect("\(error)".contains("check the GitHub token"))
                #expect(!"\(error)".contains("ghp_wrong"))
            }
        }
        #expect(github.seenAuthorizations.first == "Bearer ghp_right")
    }

    @Test func anUnknownBranchIsExplained() async throws {
        let github = FakeGitHub(heads: [:])
        try await github.serve { url in
            let resolver = GitHubCommitResolver(settings: GitHubSettings(apiBaseURL: url), client: try HTTPClient())
            await #expect(throws: ChatOpsError.self) { try await resolver.newestCommit(owner: "shop", repo: "web", branch: "nope") }
            await #expect(throws: ChatOpsError.self) { try await resolver.newestCommit(owner: "shop", repo: "web", branch: "../../x") }
        }
    }
}
