package cognito

import (
	"context"
	"fmt"
	"testing"

	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/store"
)

// signInPartition is a partition holding clients app clients spread over
// pools of at most MaxClientsPerPool, the first of which lets alice sign
// in with USER_PASSWORD_AUTH; it returns that client's id.
func signInPartition(s *pagingStore, clients int) (poolID, clientID string) {
	s.t.Helper()
	s.update(func(tx handler.Tx) error {
		var pool string
		for i := range clients {
			if i%MaxClientsPerPool == 0 {
				out, err := s.call(tx, "CreateUserPool", fmt.Sprintf(`{"PoolName":"p%d"}`, i))
				if err != nil {
					return err
				}
				pool = out["UserPool"].(map[string]any)["Id"].(string)
			}
			out, err := s.call(tx, "CreateUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"c%d","ExplicitAuthFlows":["ALLOW_USER_PASSWORD_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]}`, pool, i))
			if err != nil {
				return err
			}
			if i == clients/2 { // in the middle of the index, not first or last
				poolID, clientID = pool, out["UserPoolClient"].(map[string]any)["ClientId"].(string)
			}
		}
		if _, err := s.call(tx, "AdminCreateUser", fmt.Sprintf(`{"UserPoolId":%q,"Username":"alice","MessageAction":"SUPPRESS"}`, poolID)); err != nil {
			return err
		}
		_, err := s.call(tx, "AdminSetUserPassword", fmt.Sprintf(`{"UserPoolId":%q,"Username":"alice","Password":"Passw0rd!x","Permanent":true}`, poolID))
		return err
	})
	return poolID, clientID
}

// signInReads signs alice in through clientID in one write transaction
// and returns the records it read.
func signInReads(s *pagingStore, clientID string) readCounter {
	s.t.Helper()
	var tx readCounter
	err := s.st.Update(context.Background(), func(stx store.Tx) error {
		tx = readCounter{Tx: store.Scope(stx, s.p)}
		out, err := s.call(&tx, "InitiateAuth", fmt.Sprintf(`{"ClientId":%q,"AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"alice","PASSWORD":"Passw0rd!x"}}`, clientID))
		if err != nil {
			return err
		}
		if out["AuthenticationResult"] == nil {
			return fmt.Errorf("InitiateAuth answered %v, want tokens", out)
		}
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return tx
}

// TestLookups_SignInReadsConstant signs in through one client of 50 and of
// 5,000 in the partition: the client is found by its id from an index,
// so the sign-in reads the same few records at both sizes and lists no
// whole set.
func TestLookups_SignInReadsConstant(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 5,000 app clients")
	}
	reads := map[int]int{}
	for _, n := range []int{50, 5000} {
		s := newPagingStore(t)
		_, client := signInPartition(s, n)
		signInReads(s, client) // the first sign-in may create the pool's signing keys
		tx := signInReads(s, client)
		t.Logf("InitiateAuth with %d clients in the partition: %d records read, %d whole-set lists", n, tx.reads, tx.lists)
		reads[n] = tx.reads
	}
	if reads[5000] != reads[50] || reads[50] > 20 {
		t.Errorf("InitiateAuth read %d records with 50 clients and %d with 5,000; want the same few", reads[50], reads[5000])
	}
}
