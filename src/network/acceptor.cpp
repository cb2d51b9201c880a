// SPDX-License-Identifier: Apache-2.0
#include "network/acceptor.h"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <utility>

#include "common/logging.h"

namespace gregor {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

struct BindAddress {
  asio::ip::address address;
  bool optional = false;    // an IPv6 half that may be missing on this host
  bool dual_stack = false;  // "::" also accepting IPv4
};

Result<std::vector<BindAddress>> AddressesOf(const std::string& host) {
  if (host.empty()) {
    return std::vector<BindAddress>{{asio::ip::address_v6::any(), true, true},
                                    {asio::ip::address_v4::any(), true, false}};
  }
  if (host == "localhost") {
    return std::vector<BindAddress>{{asio::ip::address_v4::loopback(), false, false},
                                    {asio::ip::address_v6::loopback(), true, false}};
  }
  boost::system::error_code ec;
  auto literal = asio::ip::make_address(host, ec);
  if (!ec) return std::vector<BindAddress>{{literal, false, false}};
  asio::io_context io;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, "", ec);
  if (ec)
    return Status(ErrorCode::kNetworkException, "cannot resolve " + host + ": " + ec.message());
  std::vector<BindAddress> out;
  for (const auto& entry : results) {
    bool seen = false;
    for (const auto& b : out) seen = seen || b.address == entry.endpoint().address();
    if (!seen) out.push_back({entry.endpoint().address(), false, false});
  }
  return out;
}

}  // namespace

Acceptor::Acceptor(EndPoint endpoint, const SocketServerConfig& config,
                   std::vector<Processor*> processors)
    : endpoint_(std::move(endpoint)),
      config_(config),
      processors_(std::move(processors)),
      log_(Logger("network")) {}

Acceptor::~Acceptor() { Shutdown(); }

Status Acceptor::Bind() {
  auto addresses = AddressesOf(endpoint_.host);
  if (!addresses.ok()) return addresses.status();
  uint16_t port = endpoint_.port;
  bool wildcard_bound = false;
  for (const BindAddress& b : *addresses) {
    // "" binds "::" dual-stack; 0.0.0.0 is only the fallback without IPv6.
    if (b.address.is_v4() && b.address.is_unspecified() && wildcard_bound) continue;
    auto sock = std::make_unique<tcp::acceptor>(io_);
    tcp::endpoint ep(b.address, port);
    boost::system::error_code ec;
    sock->open(ep.protocol(), ec);
    if (!ec) sock->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && b.address.is_v6()) sock->set_option(asio::ip::v6_only(!b.dual_stack), ec);
    if (!ec) sock->bind(ep, ec);
    if (!ec) sock->listen(config_.socket_listen_backlog_size, ec);
    if (ec) {
      if (b.optional) {
        log_->info("listener={} not bound on {} ({}); continuing without it",
                   endpoint_.listener_name, b.address.to_string(), ec.message());
        continue;
      }
      return Status(ErrorCode::kNetworkException, "cannot bind " + endpoint_.ToString() + " on " +
                                                      b.address.to_string() + ": " + ec.message());
    }
    port = sock->local_endpoint().port();  // the kernel's pick if it was 0
    wildcard_bound = wildcard_bound || b.address.is_unspecified();
    sockets_.push_back(std::move(sock));
  }
  if (sockets_.empty()) {
    return Status(ErrorCode::kNetworkException, "no address bound for " + endpoint_.ToString());
  }
  bound_port_ = port;
  for (const std::string& a : bound_addresses()) {
    log_->info("listener={} listening on {}", endpoint_.listener_name, a);
  }
  return Status::Ok();
}

std::vector<std::string> Acceptor::bound_addresses() const {
  std::vector<std::string> out;
  for (const auto& sock : sockets_) {
    boost::system::error_code ec;
    tcp::endpoint ep = sock->local_endpoint(ec);
    if (ec) continue;
    std::string addr = ep.address().to_string();
    out.push_back((ep.address().is_v6() ? "[" + addr + "]" : addr) + ":" +
                  std::to_string(ep.port()));
  }
  return out;
}

void Acceptor::Start() {
  for (size_t i = 0; i < sockets_.size(); ++i) AcceptNext(i);
  thread_ = std::thread([this] {
    io_.run();
    exited_.set_value();
  });
}

// [acceptor-accept]
void Acceptor::AcceptNext(size_t index) {
  size_t n = processors_.size();
  Processor* processor = processors_[next_processor_++ % n];
  // Accepted straight into the Processor's io_context.
  auto on_accept = [=, this](const error_code& ec, tcp::socket s) {
    OnAccepted(index, processor, ec, std::move(s));
  };
  sockets_[index]->async_accept(processor->io_context(), on_accept);
}
// [acceptor-accept]

void Acceptor::OnAccepted(size_t index, Processor* processor, const boost::system::error_code& ec,
                          tcp::socket socket) {
  if (ec == asio::error::operation_aborted || shut_down_.load()) return;
  if (!ec) {
    processor->Accept(std::move(socket), endpoint_.listener_name);
    return AcceptNext(index);
  }
  // E.g. EMFILE: retry shortly instead of spinning on the error.
  log_->warn("accept failed on listener={}: {}", endpoint_.listener_name, ec.message());
  retry_timer_.emplace(io_, std::chrono::milliseconds(100));
  retry_timer_->async_wait([this, index](const boost::system::error_code& e) {
    if (!e && !shut_down_.load()) AcceptNext(index);
  });
}

void Acceptor::Shutdown() {
  if (shut_down_.exchange(true)) return;
  if (!thread_.joinable()) {
    sockets_.clear();
    return;
  }
  asio::post(io_, [this] {
    boost::system::error_code ec;
    for (auto& sock : sockets_) sock->close(ec);  // aborts the pending accepts
    if (retry_timer_) retry_timer_->cancel();
  });
  if (exited_.get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    log_->error("acceptor {} did not stop in 5 s; stopping its loop", endpoint_.ToString());
    io_.stop();
  }
  thread_.join();
  sockets_.clear();
}

}  // namespace gregor
