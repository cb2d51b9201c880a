// SPDX-License-Identifier: Apache-2.0
#include "server/metrics_http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "common/logging.h"

namespace gregor {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);

// One HTTP connection: read a request, write its answer, repeat while the
// client keeps the connection alive. Owned by its pending handlers.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const MetricsRegistry& registry)
      : stream_(std::move(socket)), registry_(registry) {}

  void Read() {
    request_ = {};
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Answer();
                     });
  }

 private:
  void Answer() {
    auto response = std::make_shared<http::response<http::string_body>>();
    response->version(request_.version());
    response->keep_alive(request_.keep_alive());
    response->set(http::field::server, "gregor");
    // [metrics-http-answer]
    std::string target(request_.target());
    if (target == "/metrics" || target.rfind("/metrics?", 0) == 0) {
      if (request_.method() == http::verb::get) {
        response->result(http::status::ok);
        response->set(http::field::content_type, "text/plain; version=0.0.4");
        response->body() = registry_.Render();
      } else {
        response->result(http::status::method_not_allowed);
      }
    } else {
      response->result(http::status::not_found);
      response->body() = "not found\n";
    }
    // [metrics-http-answer]
    response->prepare_payload();
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response](beast::error_code ec, size_t) {
                        if (ec) return;
                        if (response->keep_alive()) return self->Read();
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  const MetricsRegistry& registry_;
};

}  // namespace

// Only the serving thread touches these after Start.
struct MetricsHttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};

  void Accept(const MetricsRegistry& registry) {
    acceptor.async_accept([this, &registry](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed by Stop
      std::make_shared<Session>(std::move(socket), registry)->Read();
      Accept(registry);
    });
  }
};

MetricsHttpServer::MetricsHttpServer(const MetricsRegistry& registry) : registry_(registry) {}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

Status MetricsHttpServer::Start(const std::string& listener) {
  auto colon = listener.rfind(':');
  if (colon == std::string::npos) {
    return Status(ErrorCode::kInvalidConfig, "gregor.metrics.listener: " + listener);
  }
  std::string host = listener.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  std::string port = listener.substr(colon + 1);
  impl_ = std::make_unique<Impl>();
  beast::error_code ec;
  tcp::resolver resolver(impl_->io);
  auto endpoints = resolver.resolve(host, port, tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    impl_.reset();
    return Status(ErrorCode::kInvalidConfig, "gregor.metrics.listener: " + listener);
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    impl_.reset();
    return Status(ErrorCode::kNetworkException,
                  "cannot bind metrics listener " + listener + ": " + ec.message());
  }
  bound_port_ = acceptor.local_endpoint().port();
  impl_->Accept(registry_);
  thread_ = std::thread([this] { impl_->io.run(); });
  Logger("server")->info("metrics listener on {}:{}", host, bound_port_);
  return Status::Ok();
}

void MetricsHttpServer::Stop() {
  if (!impl_) return;
  // stop() abandons every pending handler; the sessions they own are
  // destroyed with the io_context below, which closes their sockets.
  impl_->io.stop();
  if (thread_.joinable()) thread_.join();
  impl_.reset();
}

}  // namespace gregor
