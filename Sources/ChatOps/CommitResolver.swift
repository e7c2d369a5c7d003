import HTTP
import JSON
import SlipwayAPI

/// Finds the newest commit of a branch, for `/deploy ENV` without a commit.
public protocol CommitResolver: Sendable {
    func newestCommit(owner: String, repo: String, branch: String) async throws -> String
}

/// Asks the GitHub REST API: `GET {base}/repos/{owner}/{repo}/commits/{branch}` answers the
/// branch's head commit, whose `sha` is taken.
/// See https://docs.github.com/en/rest/commits/commits#get-a-commit
///
/// The token is optional (public repositories need none) and is sent only as a header; it
/// never appears in an error or log line.
public struct GitHubCommitResolver: CommitResolver {
    public let settings: GitHubSettings
    private let client: HTTPClient

    public init(settings: GitHubSettings, client: HTTPClient) {
        self.settings = settings
        self.client = client
    }

    public func newestCommit(owner: String, repo: String, branch: String) async throws -> String {
        // The names come from a validated DeploymentTarget; check again before they form a URL.
        guard Patterns.githubOwner.matches(owner), Patterns.githubRepo.matches(repo), Patterns.branch.matches(branch),
              !branch.contains("..") else {
            throw ChatOpsError.commitResolution("the target's GitHub repository or branch is not a valid name")
        }
        let base = settings.apiBaseURL.hasSuffix("/") ? String(settings.apiBaseURL.dropLast()) : settings.apiBaseURL
        var headers: [(name: String, value: String)] = [
            ("Accept", "application/vnd.github+json"),
            ("X-GitHub-Api-Version", "2022-11-28"),
        ]
        if let token = settings.token, !token.isEmpty { headers.append(("Authorization", "Bearer \(token)")) }
        let request = HTTPRequest(method: "GET", url: "\(base)/repos/\(owner)/\(repo)/commits/\(branch)", headers: headers,
                                  timeout: .seconds(15))
        let response: HTTPResponse
        do {
            response = try await client.execute(request)
        } catch {
            throw ChatOpsError.commitResolution("GitHub could not be reached (\(error)); name a commit: /deploy ENV COMMIT")
        }
        switch response.status {
        case 200:
            guard let sha = (try? JSONValue(parsing: response.body))?["sha"]?.stringValue, Patterns.commit.matches(sha) else {
                throw ChatOpsError.commitResolution("GitHub's answer for \(owner)/\(repo)@\(branch) has no commit")
            }
            return sha
        case 401, 403:
            throw ChatOpsError.commitResolution("GitHub refused access to \(owner)/\(repo) (HTTP \(response.status)); check the GitHub token")
        case 404, 422:
            throw ChatOpsError.commitResolution("GitHub knows no branch \(branch) in \(owner)/\(repo) (HTTP \(response.status))")
        default:
            throw ChatOpsError.commitResolution("GitHub answered HTTP \(response.status) for \(owner)/\(repo)@\(branch); try again or name a commit")
        }
    }
}
